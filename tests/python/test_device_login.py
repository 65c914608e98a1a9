"""azure-identity's DeviceCodeCredential (MSAL's device flow, as `az login --use-device-code`
runs it) against a server with users: the credential polls while the code waits, the user
signs it in on /devicelogin with their password, and the token is that user's."""

import base64
import json
import ssl
import threading
import urllib.parse
import urllib.request

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import DeviceCodeCredential
from azure.mgmt.resource.resources import ResourceManagementClient

from conftest import SUBSCRIPTION, TENANT, Server

CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
SCOPE = "https://management.core.windows.net//.default"


@pytest.fixture(scope="module")
def users_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("principals") / "principals.json"
    path.write_text(json.dumps([{"userName": "ada@contoso.com", "password": "Pa55word!", "displayName": "Ada"}]))
    s = Server(["--principals", str(path)])
    yield s
    s.stop()


def sign_in(server, uri, user_code, password, decline=False):
    """What the user does in the browser: the device-login form, posted."""
    context = ssl.create_default_context(cafile=server.ca)
    fields = {"code": user_code, "username": "ada@contoso.com", "password": password}
    if decline:
        fields["decline"] = "1"
    form = urllib.parse.urlencode(fields)
    with urllib.request.urlopen(uri, data=form.encode(), context=context, timeout=10) as r:
        return r.read().decode()


def credential(server, prompt):
    """azure-identity's device code credential against `server`, prompting through `prompt`."""
    return DeviceCodeCredential(
        client_id=CLI,
        tenant_id=TENANT,
        authority=server.url,
        disable_instance_discovery=True,
        connection_verify=server.ca,
        prompt_callback=prompt,
        timeout=30,
    )


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_device_code_is_signed_in_on_the_device_login_page(users_server):
    pages = []
    prompted = threading.Event()

    def prompt(verification_uri, user_code, expires_on):
        # The credential polls after this returns; the user signs in a moment later, so it
        # sees authorization_pending first. A wrong password first leaves the code waiting.
        assert verification_uri == f"{users_server.url}/devicelogin"

        def user():
            pages.append(sign_in(users_server, verification_uri, user_code, "wrong"))
            pages.append(sign_in(users_server, verification_uri, user_code, "Pa55word!"))

        threading.Timer(1.5, user).start()
        prompted.set()

    cred = credential(users_server, prompt)
    token = cred.get_token(SCOPE).token
    assert prompted.is_set()
    assert "Your account or password is incorrect." in pages[0]
    assert "You&#39;re signed in" in pages[1]
    c = claims(token)
    assert (c["upn"], c["name"], c["appid"]) == ("ada@contoso.com", "Ada", CLI)
    rm = ResourceManagementClient(cred, SUBSCRIPTION, base_url=users_server.url, connection_verify=users_server.ca)
    list(rm.resource_groups.list())  # ARM takes Ada's token: a refusal would raise here


def test_a_declined_code_fails_the_credential(users_server):
    pages = []

    def prompt(verification_uri, user_code, expires_on):
        threading.Timer(1.5, lambda: pages.append(
            sign_in(users_server, verification_uri, user_code, "Pa55word!", decline=True))).start()

    cred = credential(users_server, prompt)
    with pytest.raises(ClientAuthenticationError) as refused:
        cred.get_token(SCOPE)
    assert "authorization_declined" in str(refused.value)
    assert "Sign-in declined" in pages[0]
