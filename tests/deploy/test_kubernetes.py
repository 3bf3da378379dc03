"""The Kubernetes manifests (deploy/k8s/): every overlay renders with `kubectl kustomize`, validates offline against
the schemas of the Kubernetes version we deploy on, and says what the portal needs: a worker per queue scaled by
KEDA on that queue's list, beat a singleton, migrations a Job, separate readiness and liveness probes, resources."""

import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.conf import settings
from django.urls import resolve

from services.catalogue.data import DEPARTMENTS
from services.catalogue.models import department_queue
from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = sorted(path.name for path in (K8S / "overlays").iterdir())
KUBERNETES_VERSION = "1.32.0"  # the cluster version the manifests are written for (docs/operations.md)
README = (ROOT / "README.md").read_text()


def render(overlay: str) -> list[dict]:
    """Return the resources `kubectl kustomize` renders for an overlay."""
    if not shutil.which("kubectl"):
        unavailable("the manifest tests need kubectl (its kustomize renders the overlays)")
    result = subprocess.run(
        ["kubectl", "kustomize", str(K8S / "overlays" / overlay)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return [resource for resource in yaml.safe_load_all(result.stdout) if resource]


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request) -> dict[tuple[str, str], dict]:
    return {(resource["kind"], resource["metadata"]["name"]): resource for resource in render(request.param)}


def portal_deployments(rendered) -> dict[str, dict]:
    return {
        name: resource
        for (kind, name), resource in rendered.items()
        if kind == "Deployment"
        and resource["spec"]["template"]["metadata"]["labels"].get("app.kubernetes.io/name") == "portal"
    }


def container(resource: dict) -> dict:
    return resource["spec"]["template"]["spec"]["containers"][0]


def env_value(resource: dict, name: str) -> str | None:
    return next((e["value"] for e in container(resource).get("env", []) if e["name"] == name), None)


def test_there_are_a_production_and_a_demo_overlay():
    assert {"production", "demo"} <= set(OVERLAYS)


def test_every_resource_validates_against_the_kubernetes_schemas(rendered):
    """Each built-in resource validates strictly (no unknown field) against Kubernetes 1.32's schemas; the KEDA
    ScaledObjects, a custom resource whose schema is not among them, are checked by the tests below."""
    checked = 0
    for (kind, name), resource in rendered.items():
        if resource["apiVersion"].startswith("keda.sh/"):
            continue
        try:
            kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{kind}/{name}: {error.message} at {list(error.path)}")
        checked += 1
    assert checked > 15


def test_every_queue_has_its_worker_deployment_scaled_by_keda_on_its_list(rendered):
    """The queues of the settings and one per department (dept.<code>) each have a Deployment whose worker
    consumes it, and each worker Deployment a ScaledObject reading the length of its queue's Redis list."""
    workers = {n: d for n, d in portal_deployments(rendered).items() if container(d).get("args") == ["worker"]}
    consumed = {queue for d in workers.values() for queue in env_value(d, "CELERY_QUEUES").split(",")}
    wanted = {queue.name for queue in settings.CELERY_TASK_QUEUES} | {department_queue(d[0]) for d in DEPARTMENTS}
    assert wanted <= consumed

    scaled = {r["spec"]["scaleTargetRef"]["name"]: r for (kind, _), r in rendered.items() if kind == "ScaledObject"}
    assert set(scaled) == set(workers)
    for name, scaled_object in scaled.items():
        (trigger,) = scaled_object["spec"]["triggers"]
        assert trigger["type"] in {"redis", "redis-sentinel"}
        assert trigger["metadata"]["listName"] == env_value(workers[name], "CELERY_QUEUES").split(",")[0]
        assert int(trigger["metadata"]["listLength"]) > 0
        assert 1 <= scaled_object["spec"]["minReplicaCount"] <= scaled_object["spec"]["maxReplicaCount"]


def test_beat_is_a_singleton(rendered):
    """One beat, replaced by stopping the old pod first (Recreate), never scaled by an autoscaler."""
    beat = rendered[("Deployment", "portal-beat")]
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    autoscalers = {"ScaledObject", "HorizontalPodAutoscaler"}
    scaled = {r["spec"]["scaleTargetRef"]["name"] for (kind, _), r in rendered.items() if kind in autoscalers}
    assert "portal-beat" not in scaled


def test_migrations_run_in_a_job_and_in_no_deployment(rendered):
    job = rendered[("Job", "portal-migrate")]
    assert container(job)["args"] == ["manage", "migrate", "--noinput"]
    for name, deployment in portal_deployments(rendered).items():
        assert "migrate" not in container(deployment).get("args", []), name


def test_web_has_separate_readiness_and_liveness_probes_on_real_urls(rendered):
    """Readiness asks /readyz (database, broker, migrations), liveness /livez (cheap), both resolve here."""
    web = container(rendered[("Deployment", "portal-web")])
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/livez"
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        get = web[probe]["httpGet"]
        assert resolve(get["path"]).url_name in {"readyz", "livez"}
        host = {h["name"]: h["value"] for h in get["httpHeaders"]}["Host"]
        assert host in rendered[("ConfigMap", "portal-config")]["data"]["DJANGO_ALLOWED_HOSTS"].split(",")
    assert {("HorizontalPodAutoscaler", "portal-web"), ("PodDisruptionBudget", "portal-web")} <= set(rendered)


def test_every_portal_pod_is_locked_down_and_sized(rendered):
    """Non-root, read-only root filesystem, no privilege escalation, memory requested and limited."""
    jobs = {n: r for (k, n), r in rendered.items() if k == "Job" and n == "portal-migrate"}
    for name, resource in {**portal_deployments(rendered), **jobs}.items():
        pod = resource["spec"]["template"]["spec"]
        if container(resource)["image"].split("/")[-1].startswith("clamav"):
            continue
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert container(resource)["securityContext"]["readOnlyRootFilesystem"] is True, name
        assert container(resource)["securityContext"]["allowPrivilegeEscalation"] is False, name
        resources = container(resource)["resources"]
        assert resources["requests"]["memory"] and resources["limits"]["memory"], name
        assert {"configMapRef": {"name": "portal-config"}} in container(resource)["envFrom"], name
        assert {"secretRef": {"name": "portal-secrets"}} in container(resource)["envFrom"], name


def test_the_configuration_names_only_variables_the_portal_or_keda_reads(rendered):
    """A key of the ConfigMap is a row of the README's table of variables (or one KEDA reads): a misspelt
    variable would silently configure nothing."""
    keda = {"REDIS_ADDRESS"}
    for key in rendered[("ConfigMap", "portal-config")]["data"]:
        assert key in keda or f"`{key}`" in README, key


def test_the_namespace_denies_by_default(rendered):
    deny = rendered[("NetworkPolicy", "portal-default-deny")]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
