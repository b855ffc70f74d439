"""compose.yaml cannot be started here (no container runtime in CI), so its structure is checked instead:
valid against the Compose specification's schema, the services and their start order, the replicas,
and every DAYREEL_* variable it sets is a setting dayreel reads (or one of the documented S3 settings)
with a value those settings accept."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from app.config import Settings

ROOT = Path(__file__).resolve().parent.parent
# the Compose specification's JSON schema, vendored from github.com/compose-spec/compose-spec
# (schema/compose-spec.json at 170098ba07d9f53c383a41bfd4c5166b0a4529a6, Apache-2.0)
SCHEMA = Path(__file__).resolve().parent / "data" / "compose-spec.json"
# object storage settings named by issue 11, written into compose.yaml before dayreel reads them
S3_SETTINGS = {"storage", "s3_endpoint", "s3_bucket", "s3_region", "s3_access_key", "s3_secret_key"}
# what an operator passes in; everything else has a default in the file
OPERATOR_ENV = {
    "POSTGRES_PASSWORD": "pg-password",
    "DAYREEL_SECRET_KEY": "a-long-random-secret-0123456789",
    "DAYREEL_S3_ACCESS_KEY": "access",
    "DAYREEL_S3_SECRET_KEY": "secret",
}
APP_SERVICES = ("migrate", "web", "worker")


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg") or ""
        present = name in env and (env[name] != "" or ":" not in (op or ""))
        if op in (":?", "?") and not present:
            raise KeyError(f"compose would refuse to start: {name} is not set ({arg})")
        if op in (":-", "-") and not present:
            return arg
        return env.get(name, "")

    return re.sub(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}", one, value)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def compose(raw: dict[str, Any]) -> dict[str, Any]:
    return interpolate(raw, OPERATOR_ENV)


def test_it_is_a_valid_compose_file(raw: dict[str, Any], compose: dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    validator.validate(raw)
    validator.validate(compose)


def test_services_and_replicas(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"migrate", "web", "worker", "postgres", "redis", "seaweedfs"}
    assert services["web"]["deploy"]["replicas"] == 2
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["migrate"]["command"] == ["dayreel", "migrate"]
    assert services["migrate"]["restart"] == "no"  # one-shot
    assert services["worker"]["command"] == ["dayreel", "worker"]
    assert services["web"]["command"][:2] == ["dayreel", "serve"]
    assert "--no-jobs" in services["web"]["command"]  # jobs are the workers'
    assert services["seaweedfs"]["command"][0] == "server" and "-s3" in services["seaweedfs"]["command"]
    # one image for every dayreel process, built from this repository's Dockerfile
    assert {(services[s]["build"], services[s]["image"]) for s in APP_SERVICES} == {(".", "dayreel:latest")}


def test_start_order(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["redis"] == {"condition": "service_healthy"}, name
        assert "seaweedfs" in depends, name
    for name in ("postgres", "redis"):  # service_healthy needs a health check
        assert services[name]["healthcheck"]["test"], name


def test_every_dayreel_variable_is_a_setting_with_a_valid_value(compose: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        env = compose["services"][name]["environment"]
        fields = {key.removeprefix("DAYREEL_").lower(): value for key, value in env.items()}
        unknown = set(fields) - set(Settings.model_fields) - S3_SETTINGS
        assert not unknown, f"{name} sets variables dayreel does not read: {sorted(unknown)}"
        settings = Settings(**{k: v for k, v in fields.items() if k in Settings.model_fields})  # values parse
        assert settings.environment == "production"
        assert settings.queue_backend == "redis"
        assert settings.secret_key == OPERATOR_ENV["DAYREEL_SECRET_KEY"]  # given, never generated per process
        services = compose["services"]
        # each URL names a service of this file, on the port that service listens on
        assert urlsplit(settings.db_url).hostname == "postgres" and "postgres" in services
        assert urlsplit(settings.redis_url).hostname == "redis" and "redis" in services
        s3 = urlsplit(fields["s3_endpoint"])
        assert (s3.hostname, s3.port) == ("seaweedfs", 8333)
        assert f"-s3.port={s3.port}" in services["seaweedfs"]["command"]
        assert fields["storage"] == "s3"
        # the same credentials on both sides
        weed = services["seaweedfs"]["environment"]
        assert (weed["AWS_ACCESS_KEY_ID"], weed["AWS_SECRET_ACCESS_KEY"]) == (
            fields["s3_access_key"], fields["s3_secret_key"])
        pg = services["postgres"]["environment"]
        assert urlsplit(settings.db_url).password == pg["POSTGRES_PASSWORD"]
        assert urlsplit(settings.db_url).username == pg["POSTGRES_USER"]
        assert urlsplit(settings.db_url).path == f"/{pg['POSTGRES_DB']}"


def test_secrets_must_be_given(raw: dict[str, Any]) -> None:
    for missing in OPERATOR_ENV:
        env = {k: v for k, v in OPERATOR_ENV.items() if k != missing}
        with pytest.raises(KeyError, match=missing):
            interpolate(raw, env)


def test_readme_documents_what_compose_sets(compose: dict[str, Any]) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Running on several machines", 1)[1].split("\n## ", 1)[0]
    for key in compose["services"]["web"]["environment"]:
        assert f"`{key}`" in section, f"{key} is not explained in README's 'Running on several machines'"
    assert "`dayreel migrate`" in section
