"""Starts a real `cerulean serve` for the suite and builds Azure SDK clients against it,
as a user would: HTTPS with the generated CA, and a service principal logged in at
cerulean's token endpoint."""

import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest
from azure.core.credentials import AccessToken
from azure.identity import ClientSecretCredential
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.privatedns import PrivateDnsManagementClient
from azure.mgmt.storage import StorageManagementClient
from azure.mgmt.resource.deployments import DeploymentsMgmtClient
from azure.mgmt.resource.resources import ResourceManagementClient

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
TENANT = "00000000-0000-0000-0000-0000000000a1"
LOCATION = "eastus"


def _binary():
    explicit = os.environ.get("CERULEAN_BIN")
    if explicit:
        return explicit
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(root, "target", "debug", "cerulean")


class Server:
    def __init__(self, args):
        self.dir = tempfile.mkdtemp(prefix="cerulean-py-")
        self.proc = subprocess.Popen(
            [_binary(), "serve", "--port", "0", "--location", self.dir, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "CERULEAN_LOG": "warn"},
        )
        self.ca = None
        deadline = time.time() + 20
        for line in self.proc.stdout:
            m = re.match(r"cerulean CA certificate: (.*)", line)
            if m:
                self.ca = m.group(1).strip()
            m = re.match(r"cerulean listening on (https://\S+)", line)
            if m:
                self.url = m.group(1)
                break
            if time.time() > deadline:
                raise RuntimeError("cerulean did not start")
        else:
            raise RuntimeError("cerulean exited before listening")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class StaticCredential:
    """Only for CERULEAN_PY_AUTH=none, when checking the suite without the token endpoint."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("none", int(time.time()) + 3600)


@pytest.fixture(scope="session")
def server():
    auth_none = os.environ.get("CERULEAN_PY_AUTH") == "none"
    s = Server(["--auth", "none"] if auth_none and os.environ.get("CERULEAN_HAS_AUTH_FLAG") else [])
    os.environ["REQUESTS_CA_BUNDLE"] = s.ca
    yield s
    s.stop()


@pytest.fixture(scope="session")
def credential(server):
    if os.environ.get("CERULEAN_PY_AUTH") == "none":
        return StaticCredential()
    return ClientSecretCredential(
        TENANT,
        "11111111-2222-3333-4444-555555555555",
        "any-secret",
        authority=server.url,
        disable_instance_discovery=True,
        connection_verify=server.ca,
    )


def _kwargs(server):
    return {"base_url": server.url, "connection_verify": server.ca}


@pytest.fixture(scope="session")
def resources(server, credential):
    return ResourceManagementClient(credential, SUBSCRIPTION, **_kwargs(server))


@pytest.fixture(scope="session")
def deployments(server, credential):
    return DeploymentsMgmtClient(credential, SUBSCRIPTION, **_kwargs(server))


@pytest.fixture(scope="session")
def network(server, credential):
    return NetworkManagementClient(credential, SUBSCRIPTION, **_kwargs(server))


@pytest.fixture(scope="session")
def compute(server, credential):
    return ComputeManagementClient(credential, SUBSCRIPTION, **_kwargs(server))


@pytest.fixture(scope="session")
def private_dns(server, credential):
    return PrivateDnsManagementClient(credential, SUBSCRIPTION, **_kwargs(server))


@pytest.fixture(scope="session")
def storage(server, credential):
    return StorageManagementClient(credential, SUBSCRIPTION, **_kwargs(server))


@pytest.fixture
def group(resources, request):
    name = "py-" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:60]
    from azure.mgmt.resource.resources.models import ResourceGroup

    resources.resource_groups.create_or_update(name, ResourceGroup(location=LOCATION))
    yield name
    resources.resource_groups.begin_delete(name).result()
