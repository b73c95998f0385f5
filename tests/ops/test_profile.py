"""The production settings profile: `check --deploy` with no warnings, and refusals."""

from tests.ops.conftest import clean_env, jigong, migrate

SECRET = "s" * 10 + "-a-long-random-production-secret-key-for-tests-0123456789"


def test_production_profile_passes_check_deploy(tmp_path):
    env = clean_env(
        tmp_path, JIGONG_PROFILE="production", SECRET_KEY=SECRET, ALLOWED_HOSTS="jg.example.cn"
    )
    run = jigong("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert "System check identified no issues" in run.stdout, run.stderr


def test_default_profile_is_not_deployable(tmp_path):
    run = jigong(
        "check", "--deploy", "--fail-level", "WARNING", env=clean_env(tmp_path), check=False
    )
    assert run.returncode != 0
    assert "security.W004" in run.stderr and "security.W008" in run.stderr  # HSTS, SSL redirect


def test_production_profile_requires_secret_key_and_hosts(tmp_path):
    env = clean_env(tmp_path, JIGONG_PROFILE="production", ALLOWED_HOSTS="jg.example.cn")
    env.pop("SECRET_KEY", None)
    run = jigong("check", env=env, check=False)
    assert run.returncode != 0 and "needs SECRET_KEY" in run.stderr
    env = clean_env(tmp_path, JIGONG_PROFILE="production", SECRET_KEY=SECRET)
    env.pop("ALLOWED_HOSTS", None)
    run = jigong("check", env=env, check=False)
    assert run.returncode != 0 and "needs ALLOWED_HOSTS" in run.stderr
    env = clean_env(
        tmp_path, JIGONG_PROFILE="production", SECRET_KEY=SECRET, ALLOWED_HOSTS="x", DEBUG="1"
    )
    run = jigong("check", env=env, check=False)
    assert run.returncode != 0 and "refuses DEBUG" in run.stderr


def test_production_cache_keeps_figures_among_many_limiter_keys(tmp_path):
    """The shared cache holds the indicator figures and the limiter's counters: a few
    hundred verified numbers must not evict the figures (Django's default culls a third
    of the entries, in key order, past 300)."""
    env = clean_env(
        tmp_path, JIGONG_PROFILE="production", SECRET_KEY=SECRET, ALLOWED_HOSTS="jg.example.cn"
    )
    migrate(env)
    jigong("createcachetable", env=env)
    code = (
        "from django.core.cache import cache\n"
        "cache.set('indicators:0:city:students_in_school', 42, 3600)\n"
        "for i in range(600): cache.set(f'jg:verify:number:{i:06d}', 1, 3600)\n"
        "print('figure', cache.get('indicators:0:city:students_in_school'))\n"
    )
    run = jigong("shell", "-c", code, env=env)
    assert "figure 42" in run.stdout, run.stdout + run.stderr


def test_production_public_address_defaults_to_the_host_or_is_refused(tmp_path):
    """Certificates print JIGONG_PUBLIC_URL in their QR code: in production it defaults to
    HTTPS on the first allowed host; a value no phone could open refuses to start."""
    env = clean_env(
        tmp_path, JIGONG_PROFILE="production", SECRET_KEY=SECRET, ALLOWED_HOSTS="jg.example.cn,x"
    )
    code = "from django.conf import settings; print(settings.JIGONG_PUBLIC_URL)"
    run = jigong("shell", "-c", code, env=env)
    assert run.stdout.strip().endswith("https://jg.example.cn"), run.stdout + run.stderr
    env["ALLOWED_HOSTS"] = "*"
    run = jigong("check", env=env, check=False)
    assert run.returncode != 0 and "JIGONG_PUBLIC_URL" in run.stderr
    env["JIGONG_PUBLIC_URL"] = "jg.example.cn/verify"
    run = jigong("check", env=env, check=False)
    assert run.returncode != 0 and "JIGONG_PUBLIC_URL “jg.example.cn/verify”" in run.stderr
