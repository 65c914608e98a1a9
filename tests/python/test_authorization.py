"""azure-mgmt-authorization against cerulean with access control on (`serve --rbac`): built-in
role definitions, role assignments created, listed, read and deleted through the SDK, ARM's
errors as HttpResponseError codes, and a Reader refused a write with AuthorizationFailed."""

import base64
import json
import os
import uuid

import pytest
from azure.core.exceptions import HttpResponseError
from azure.identity import ClientSecretCredential
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.authorization.models import RoleAssignmentCreateParameters
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.models import ResourceGroup

from conftest import LOCATION, SUBSCRIPTION, TENANT, Server

SCOPE = f"/subscriptions/{SUBSCRIPTION}"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"


@pytest.fixture(scope="module")
def rbac_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("principals") / "principals.json"
    path.write_text(json.dumps([
        {"clientId": "py-admin", "clientSecret": "s", "roles": [{"role": "Owner", "scope": SCOPE}]},
        {"clientId": "py-newcomer", "clientSecret": "s"},
    ]))
    s = Server(["--principals", str(path), "--rbac"])
    before = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = s.ca
    yield s
    s.stop()
    if before is None:
        os.environ.pop("REQUESTS_CA_BUNDLE", None)
    else:
        os.environ["REQUESTS_CA_BUNDLE"] = before


def credential(server, client_id):
    return ClientSecretCredential(
        TENANT, client_id, "s", authority=server.url, disable_instance_discovery=True, connection_verify=server.ca
    )


def clients(server, client_id):
    kw = {"base_url": server.url, "connection_verify": server.ca}
    cred = credential(server, client_id)
    return (
        AuthorizationManagementClient(cred, SUBSCRIPTION, **kw),
        ResourceManagementClient(cred, SUBSCRIPTION, **kw),
    )


def object_id(server, client_id):
    token = credential(server, client_id).get_token("https://management.core.windows.net//.default").token
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["oid"]


def test_role_definitions_are_the_built_in_ones(rbac_server):
    auth, _ = clients(rbac_server, "py-admin")
    readers = list(auth.role_definitions.list(SCOPE, filter="roleName eq 'Reader'"))
    assert [r.role_name for r in readers] == ["Reader"]
    assert readers[0].id == f"{SCOPE}/providers/Microsoft.Authorization/roleDefinitions/{READER}"
    assert readers[0].role_type == "BuiltInRole"
    assert readers[0].permissions[0].actions == ["*/read"]
    contributor = auth.role_definitions.get(SCOPE, CONTRIBUTOR)
    assert contributor.role_name == "Contributor"
    assert "Microsoft.Authorization/*/Write" in contributor.permissions[0].not_actions
    names = {r.role_name for r in auth.role_definitions.list(SCOPE)}
    assert {"Owner", "Network Contributor", "Virtual Machine Contributor", "User Access Administrator"} <= names


def test_assignments_grant_and_revoke_access(rbac_server):
    admin, admin_rm = clients(rbac_server, "py-admin")
    _, newcomer_rm = clients(rbac_server, "py-newcomer")
    admin_rm.resource_groups.create_or_update("py-rbac", ResourceGroup(location=LOCATION))

    # Without a role the newcomer is refused, with Azure's code.
    with pytest.raises(HttpResponseError) as e:
        newcomer_rm.resource_groups.get("py-rbac")
    assert e.value.error.code == "AuthorizationFailed"

    principal = object_id(rbac_server, "py-newcomer")
    group_scope = f"{SCOPE}/resourceGroups/py-rbac"
    name = str(uuid.uuid4())
    created = admin.role_assignments.create(
        group_scope,
        name,
        RoleAssignmentCreateParameters(
            role_definition_id=f"{SCOPE}/providers/Microsoft.Authorization/roleDefinitions/{READER}",
            principal_id=principal,
            principal_type="ServicePrincipal",
        ),
    )
    assert created.principal_id == principal
    assert created.scope == group_scope
    assert admin.role_assignments.get(group_scope, name).name == name
    assert admin.role_assignments.get_by_id(created.id).principal_id == principal
    listed = list(admin.role_assignments.list_for_scope(group_scope, filter="atScope()"))
    assert name in [a.name for a in listed]
    mine = list(admin.role_assignments.list_for_subscription(filter=f"principalId eq '{principal}'"))
    assert [a.name for a in mine] == [name]

    # A Reader reads the group and its permissions, and is refused a write.
    assert newcomer_rm.resource_groups.get("py-rbac").name == "py-rbac"
    newcomer_auth, _ = clients(rbac_server, "py-newcomer")
    perms = list(newcomer_auth.permissions.list_for_resource_group("py-rbac"))
    assert perms[0].actions == ["*/read"]
    with pytest.raises(HttpResponseError) as e:
        newcomer_rm.resource_groups.create_or_update("py-rbac", ResourceGroup(location=LOCATION, tags={"x": "y"}))
    assert e.value.error.code == "AuthorizationFailed"
    assert "'Microsoft.Resources/subscriptions/resourcegroups/write'" in e.value.error.message

    # ARM's refusals of bad assignments.
    with pytest.raises(HttpResponseError) as e:
        admin.role_assignments.create(
            group_scope,
            str(uuid.uuid4()),
            RoleAssignmentCreateParameters(
                role_definition_id=f"{SCOPE}/providers/Microsoft.Authorization/roleDefinitions/{READER}",
                principal_id=principal,
                principal_type="ServicePrincipal",
            ),
        )
    assert e.value.error.code == "RoleAssignmentExists"
    # The SDK sends principalType "User" unless told otherwise; Azure checks it.
    with pytest.raises(HttpResponseError) as e:
        admin.role_assignments.create(
            group_scope,
            str(uuid.uuid4()),
            RoleAssignmentCreateParameters(
                role_definition_id=f"{SCOPE}/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}",
                principal_id=principal,
            ),
        )
    assert e.value.error.code == "UnmatchedPrincipalType"
    with pytest.raises(HttpResponseError) as e:
        admin.role_assignments.create(
            group_scope,
            str(uuid.uuid4()),
            RoleAssignmentCreateParameters(
                role_definition_id=f"{SCOPE}/providers/Microsoft.Authorization/roleDefinitions/{uuid.uuid4()}",
                principal_id=principal,
            ),
        )
    assert e.value.error.code == "RoleDefinitionDoesNotExist"
    with pytest.raises(HttpResponseError) as e:
        admin.role_assignments.create(
            group_scope,
            str(uuid.uuid4()),
            RoleAssignmentCreateParameters(
                role_definition_id=f"{SCOPE}/providers/Microsoft.Authorization/roleDefinitions/{READER}",
                principal_id=str(uuid.uuid4()),
            ),
        )
    assert e.value.error.code == "PrincipalNotFound"

    # Revoked: refused again at once.
    deleted = admin.role_assignments.delete(group_scope, name)
    assert deleted.name == name
    with pytest.raises(HttpResponseError) as e:
        newcomer_rm.resource_groups.get("py-rbac")
    assert e.value.error.code == "AuthorizationFailed"
    admin_rm.resource_groups.begin_delete("py-rbac").result()


def test_custom_roles(rbac_server):
    """role_definitions.create_or_update / get / list / delete of a custom role, assigned and
    enforced, with ARM's refusals as HttpResponseError codes."""
    from azure.mgmt.authorization.models import Permission, RoleDefinition

    admin, admin_rm = clients(rbac_server, "py-admin")
    _, newcomer_rm = clients(rbac_server, "py-newcomer")
    admin_rm.resource_groups.create_or_update("py-custom", ResourceGroup(location=LOCATION))
    group_scope = f"{SCOPE}/resourceGroups/py-custom"
    role_id = str(uuid.uuid4())

    def definition(actions):
        return RoleDefinition(
            role_name="Group Tagger",
            description="Reads and tags the group.",
            role_type="CustomRole",
            permissions=[Permission(actions=actions)],
            assignable_scopes=[group_scope],
        )

    read = ["Microsoft.Resources/subscriptions/resourceGroups/read"]
    created = admin.role_definitions.create_or_update(group_scope, role_id, definition(read))
    assert (created.name, created.role_name, created.role_type) == (role_id, "Group Tagger", "CustomRole")
    assert created.assignable_scopes == [group_scope]
    changed = admin.role_definitions.create_or_update(
        group_scope, role_id, definition(read + ["Microsoft.Resources/subscriptions/resourceGroups/write"]))
    assert len(changed.permissions[0].actions) == 2
    assert admin.role_definitions.get(SCOPE, role_id).role_name == "Group Tagger"
    customs = list(admin.role_definitions.list(group_scope, filter="type eq 'CustomRole'"))
    assert [r.name for r in customs] == [role_id]

    with pytest.raises(HttpResponseError) as e:
        admin.role_definitions.create_or_update(group_scope, str(uuid.uuid4()), definition(read))
    assert (e.value.status_code, e.value.error.code) == (409, "RoleDefinitionWithSameNameExists")

    name = str(uuid.uuid4())
    admin.role_assignments.create(group_scope, name, RoleAssignmentCreateParameters(
        role_definition_id=created.id, principal_id=object_id(rbac_server, "py-newcomer"),
        principal_type="ServicePrincipal"))
    group = newcomer_rm.resource_groups.get("py-custom")
    group.tags = {"owner": "newcomer"}
    assert newcomer_rm.resource_groups.create_or_update("py-custom", group).tags == {"owner": "newcomer"}
    with pytest.raises(HttpResponseError) as e:
        newcomer_rm.resource_groups.get("py-rbac-elsewhere")
    assert e.value.error.code == "AuthorizationFailed"

    with pytest.raises(HttpResponseError) as e:
        admin.role_definitions.delete(group_scope, role_id)
    assert (e.value.status_code, e.value.error.code) == (409, "RoleDefinitionHasAssignments")
    admin.role_assignments.delete(group_scope, name)
    deleted = admin.role_definitions.delete(group_scope, role_id)
    assert deleted.name == role_id
    with pytest.raises(HttpResponseError) as e:
        admin.role_definitions.get(SCOPE, role_id)
    assert e.value.error.code == "RoleDefinitionDoesNotExist"
