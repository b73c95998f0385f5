from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from jigong.core import params
from jigong.core.choices import Level
from jigong.core.permissions import may
from jigong.core.viewsets import Col, Register, form_page, get_or_404
from jigong.reference import filters, selectors, services
from jigong.reference.models import District, IndustryChain, IndustryCluster, Major


def _levels(major) -> str:
    return major.level_labels()


districts = Register(
    model=District,
    name="district",
    prefix="districts",
    list_selector=selectors.district_list,
    get_selector=selectors.district_get,
    filterset_class=filters.DistrictFilterSet,
    columns=[Col("code", link=True), "name", "short_name", "kind", "group", "subgroup"],
    # schools/views.py adds the district's schools (add_related)
)

industry_chains = Register(
    model=IndustryChain,
    name="industrychain",
    prefix="industry-chains",
    list_selector=selectors.industry_chain_list,
    get_selector=selectors.industry_chain_get,
    filterset_class=filters.IndustryChainFilterSet,
    columns=[Col("code", link=True), "name", "cluster", "year"],
    edit_url_name="reference:industrychain_edit",
    list_actions=[
        (_("新增产业链"), "reference:industrychain_add", "add"),
        (_("复制到新年度"), "reference:taxonomy_copy", "add"),
    ],
)

majors = Register(
    model=Major,
    name="major",
    prefix="majors",
    list_selector=selectors.major_list,
    get_selector=selectors.major_get,
    filterset_class=filters.MajorFilterSet,
    columns=[
        Col("code", link=True),
        "name",
        "category",
        Col("levels", render=_levels),
        "edition",
    ],
    edit_url_name="reference:major_edit",
)


# --- editing by the municipal bureau ------------------------------------------------------


class IndustryChainForm(forms.Form):
    cluster = forms.ModelChoiceField(IndustryCluster.objects.none(), label=_("产业集群"))
    code = forms.CharField(label=_("代码"), max_length=16)
    name = forms.CharField(label=_("产业链"), max_length=64)

    def __init__(self, *args, year: int, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = IndustryCluster.objects.filter(year=year)
        if editing:
            del self.fields["code"]


def _require(user, action: str, obj) -> None:
    if not may(user, action, obj):
        raise PermissionDenied(_("只有市人社局可以维护参考数据。"))


@login_required
def industry_chain_add(request):
    year = params.year(request.GET, default=IndustryCluster.objects.aggregate(y=Max("year"))["y"])
    _require(request.user, "add", IndustryChain(year=year))
    form = IndustryChainForm(request.POST or None, year=year)

    def save(data):
        chain = services.industry_chain_create(actor=request.user, **data)
        return industry_chains.detail_url(chain.pk)

    return form_page(
        request,
        form=form,
        title=_("新增%(y)s年产业链") % {"y": year},
        cancel_url=industry_chains.list_url(),
        save=save,
        register=industry_chains,
    )


@login_required
def industry_chain_edit(request, pk: int):
    chain = get_or_404(selectors.industry_chain_get, user=request.user, pk=pk)
    _require(request.user, "change", chain)
    form = IndustryChainForm(
        request.POST or None,
        year=chain.year,
        editing=True,
        initial={"cluster": chain.cluster_id, "name": chain.name},
    )

    def save(data):
        services.industry_chain_update(actor=request.user, chain=chain, **data)
        return industry_chains.detail_url(chain.pk)

    return form_page(
        request,
        form=form,
        title=_("编辑产业链：%(n)s") % {"n": chain.name},
        cancel_url=industry_chains.detail_url(chain.pk),
        save=save,
        register=industry_chains,
    )


class CopyYearForm(forms.Form):
    from_year = params.YearField(label=_("来源年度"))
    to_year = params.YearField(label=_("目标年度"))


@login_required
def taxonomy_copy(request):
    _require(request.user, "add", IndustryChain())
    latest = IndustryCluster.objects.aggregate(y=Max("year"))["y"]
    form = CopyYearForm(
        request.POST or None, initial={"from_year": latest, "to_year": (latest or 2025) + 1}
    )

    def save(data):
        services.taxonomy_copy_year(actor=request.user, **data)
        return f"{industry_chains.list_url()}?year={data['to_year']}"

    return form_page(
        request,
        form=form,
        title=_("复制产业目录到新年度"),
        cancel_url=industry_chains.list_url(),
        save=save,
        register=industry_chains,
    )


class MajorForm(forms.Form):
    name = forms.CharField(label=_("专业名称"), max_length=64)
    category = forms.CharField(label=_("专业类"), max_length=32)
    levels = forms.MultipleChoiceField(
        label=_("培养层次"), choices=Level.choices, widget=forms.CheckboxSelectMultiple
    )


@login_required
def major_edit(request, pk: int):
    major = get_or_404(selectors.major_get, user=request.user, pk=pk)
    _require(request.user, "change", major)
    form = MajorForm(
        request.POST or None,
        initial={"name": major.name, "category": major.category, "levels": major.levels},
    )

    def save(data):
        services.major_update(actor=request.user, major=major, **data)
        return majors.detail_url(major.pk)

    return form_page(
        request,
        form=form,
        title=_("编辑专业：%(m)s") % {"m": major},
        cancel_url=majors.detail_url(major.pk),
        save=save,
        register=majors,
    )


# --- platform settings (issue 14) ------------------------------------------------------


@login_required
def platform_settings(request):
    from django.shortcuts import render
    from django.utils import timezone

    from jigong.core.permissions import role_may
    from jigong.reference.models import ParameterAdjustment

    if not role_may(request.user, ParameterAdjustment, "view"):
        raise PermissionDenied(_("您的账号不能查看平台设定。"))
    from jigong.reference import platform

    today = timezone.localdate()
    rows = selectors.platform_settings(user=request.user, on=today)
    described = {r["name"]: r["citation"].description for r in rows}
    adjustments = list(selectors.parameter_adjustment_list(user=request.user)[:50])
    for a in adjustments:
        # Each value by its setting's Chinese description; the code stays in a title.
        a.shown = [
            {"code": k, "label": described.get(k, k), "value": platform.readable(v)}
            for k, v in a.values.items()
        ]
    return render(
        request,
        "reference/platform_settings.html",
        {"title": _("平台设定"), "rows": rows, "adjustments": adjustments},
    )


class AdjustmentForm(forms.Form):
    start = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("调整理由（依据的文件或会议）"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, names, on, **kwargs):
        from jigong.policy import parameters as P
        from jigong.reference import platform

        super().__init__(*args, **kwargs)
        self.names = names
        for name in names:
            p = P.parameter(name)
            c = p.citation(on) or p.first
            self.fields[platform.field_name(name)] = forms.CharField(
                label=f"{c.description}（{c.unit}）",
                initial=platform.shown(c.value),
                help_text=_("现行取值：%(v)s；%(b)s。%(n)s")
                % {"v": platform.shown(c.value), "b": c.basis, "n": c.note},
            )
        self.order_fields([platform.field_name(n) for n in names] + ["start", "reason"])

    def values(self) -> dict:
        from jigong.reference import platform

        return {n: self.cleaned_data[platform.field_name(n)] for n in self.names}


@login_required
def platform_setting_edit(request, name: str):
    from django.http import Http404
    from django.urls import reverse
    from django.utils import timezone

    from jigong.core import acts
    from jigong.policy import parameters as P
    from jigong.reference import platform

    if name not in platform.platform_names():
        raise Http404(_("“%(n)s”不是平台设定。") % {"n": name})
    acts.ensure_role(request.user, services.platform_setting_adjust.act)
    today = timezone.localdate()
    if not platform.adjustable(name, today):
        raise Http404(_("“%(n)s”现行取值为意见规定，不能在平台调整。") % {"n": name})
    names = platform.group_of(name)
    form = AdjustmentForm(request.POST or None, names=names, on=today, initial={"start": today})

    def save(data):
        services.platform_setting_adjust(
            actor=request.user, values=form.values(), start=data["start"], reason=data["reason"]
        )
        return reverse("reference:platform_settings")

    return form_page(
        request,
        form=form,
        title=_("调整平台设定：%(d)s") % {"d": P.parameter(name).first.description},
        cancel_url=reverse("reference:platform_settings"),
        save=save,
    )
