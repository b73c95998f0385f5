from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jigong.core import params
from jigong.core.permissions import restrict
from jigong.quality.models import Dimension, FindingArea, Severity


def _schools(user):
    from jigong.schools.models import School

    return restrict(user, School, "view").order_by("code")


class YearField(params.YearField):
    def __init__(self, **kw):
        kw.setdefault("label", _("年度"))
        super().__init__(**kw)


class ReviewForm(forms.Form):
    school = forms.ModelChoiceField(label=_("学校"), queryset=None)
    year = YearField()
    dimension = forms.ChoiceField(label=_("评价维度"), choices=Dimension.choices)
    score = forms.DecimalField(
        label=_("审定得分"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    basis = forms.CharField(
        label=_("评定依据"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明督导、第三方评估或材料审核的依据（（二十四））"),
    )

    def __init__(self, *args, user, **kw):
        super().__init__(*args, **kw)
        self.fields["school"].queryset = _schools(user)


class FindingForm(forms.Form):
    school = forms.ModelChoiceField(label=_("学校"), queryset=None)
    found_on = forms.DateField(label=_("督导日期"), widget=forms.DateInput(attrs={"type": "date"}))
    area = forms.ChoiceField(label=_("评价维度"), choices=FindingArea.choices)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    finding = forms.CharField(label=_("发现问题"), widget=forms.Textarea(attrs={"rows": 3}))
    required_action = forms.CharField(label=_("整改要求"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("整改期限"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kw):
        super().__init__(*args, **kw)
        self.fields["school"].queryset = _schools(user)
        self.fields["found_on"].initial = timezone.localdate()


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    year = YearField()
    school = forms.CharField(
        label=_("学校代码"),
        required=False,
        max_length=16,
        help_text=_("留空生成全市报告；填写学校代码生成该校报告"),
    )
