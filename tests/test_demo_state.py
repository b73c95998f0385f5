"""Where the demo stands (jigong/demo/state.py): an interrupted build is recognised, a
user's change blocks a reset, and a running build's progress shows on the home page."""

from django.core.cache import cache

from jigong.core import build_progress
from jigong.demo import state


def test_markers_tell_a_finished_build_from_an_interrupted_one(db):
    assert state.demo_state() == state.DemoState()
    state.mark("started", scale="small", seed=7)
    now = state.demo_state()
    assert now.interrupted and now.scale == "small" and now.seed == 7
    state.mark("done", scale="small", seed=7)
    assert not state.demo_state().interrupted and state.demo_state().done


def test_a_change_made_by_a_person_blocks_the_reset(world):
    from jigong.core import services as core

    assert state.reset_blocker() == ""  # the fixtures write as the system
    core.update(world.municipal, world.school_a, address="重庆市渝中区解放碑1号")
    blocker = state.reset_blocker()
    assert "--force" in blocker and "1 条" in blocker


def test_the_home_page_shows_a_running_build(client, world):
    cache.clear()
    build_progress.publish(scale="full", done=40, total=160, step="写入 培训记录", steps=12)
    page = client.get("/").content.decode()
    assert "演示数据正在后台生成" in page and "写入 培训记录" in page and "25%" in page
    client.force_login(world.user_a)
    assert "演示数据正在后台生成" in client.get("/").content.decode()
    build_progress.clear()
    assert "演示数据正在后台生成" not in client.get("/").content.decode()


def test_credentials_name_each_kind_of_account(world):
    creds = state.demo_credentials()  # world has city, dept, grad and school users
    assert creds[0][:2] == ("city", "Jigong-City-2025")
    assert any(c[0] == "school_a" for c in creds) is False  # only the demo's names
    assert [c[0] for c in creds][:3] == ["city", "dept", "grad"]


def test_a_serving_build_ends_in_the_same_world(db, reference_data):
    """`jigong up` builds with the accounts first and a commit per batch; the finished
    world is the one-pass build's, the graduate's account linked to its person."""
    from jigong.core.models import User
    from jigong.demo import generate

    generate.build(seed=7, scale="small")
    one_pass = generate.digest()
    grad = User.objects.values_list("person_id", "display_name").get(username="grad")
    generate.wipe()
    generate.build(seed=7, scale="small", serving=True)
    assert generate.digest() == one_pass
    assert User.objects.values_list("person_id", "display_name").get(username="grad") == grad
    assert grad[0] is not None
