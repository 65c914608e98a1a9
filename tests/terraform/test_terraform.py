"""The Terraform azurerm provider against cerulean, unmodified, run by scripts/terraform-suite
inside a loopback-only network namespace: each seed scenario of examples/terraform is
applied, planned again (the plan must be empty), a NIC made outside Terraform is imported,
a change Azure refuses fails with Azure's code, and destroy leaves nothing behind.

The CLI (OpenTofu) and the provider come from scripts/terraform-env (built from their Go
modules); the provider is installed from a filesystem mirror only, so no registry is asked."""

import json
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

SUB = "00000000-0000-0000-0000-000000000001"
TENANT = "00000000-0000-0000-0000-0000000000a1"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples", "terraform")
NAPI = "api-version=2024-05-01"


def _binary():
    return os.environ.get("CERULEAN_BIN") or os.path.join(ROOT, "target", "debug", "cerulean")


class Cerulean:
    """The server, and plain ARM calls to check what Terraform left behind."""

    def __init__(self, url, ca):
        self.url = url
        self.ctx = ssl.create_default_context(cafile=ca)
        self.token = None

    def _token(self):
        if self.token is None:
            data = urllib.parse.urlencode({
                "grant_type": "client_credentials", "client_id": "checker", "client_secret": "x",
                "scope": "https://management.azure.com/.default",
            }).encode()
            with urllib.request.urlopen(f"{self.url}/{TENANT}/oauth2/v2.0/token", data, context=self.ctx) as r:
                self.token = json.load(r)["access_token"]
        return self.token

    def call(self, method, path, body=None):
        sep = "&" if "?" in path else "?"
        req = urllib.request.Request(
            f"{self.url}{path}{sep}{NAPI}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self._token()}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, context=self.ctx) as r:
                text = r.read().decode()
                return r.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            return e.code, json.loads(text) if text else None

    def get(self, path):
        return self.call("GET", path)


@pytest.fixture(scope="session")
def cerulean():
    data = tempfile.mkdtemp(prefix="cerulean-tf-")
    proc = subprocess.Popen(
        [_binary(), "serve", "--port", "0", "--location", data],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "CERULEAN_LOG": "warn"},
    )
    url = None
    for line in proc.stdout:
        m = re.match(r"cerulean listening on (https://\S+)", line)
        if m:
            url = m.group(1)
            break
    assert url, "cerulean did not start"
    yield Cerulean(url, os.path.join(data, "tls", "ca.pem")), data
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def tf_env(cerulean):
    server, data = cerulean
    home = os.path.join(data, "home")
    os.makedirs(home, exist_ok=True)
    mirror = os.environ["AZURERM_MIRROR"]
    cli_config = os.path.join(home, "cli.tfrc")
    with open(cli_config, "w") as f:
        f.write(f"""
disable_checkpoint = true
provider_installation {{
  filesystem_mirror {{
    path    = "{mirror}"
    include = ["registry.opentofu.org/hashicorp/azurerm", "registry.terraform.io/hashicorp/azurerm"]
  }}
}}
""")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARM_", "TF_"))}
    env.update({
        "HOME": home,
        "TF_CLI_CONFIG_FILE": cli_config,
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
        "SSL_CERT_FILE": os.path.join(data, "tls", "ca.pem"),
        "ARM_METADATA_HOSTNAME": server.url.removeprefix("https://"),
        "ARM_CLIENT_ID": "terraform",
        "ARM_CLIENT_SECRET": "anything",
        "ARM_TENANT_ID": TENANT,
        "ARM_SUBSCRIPTION_ID": SUB,
    })
    return env


def tf(env, workdir, *args, ok=True):
    started = time.time()
    r = subprocess.run([os.environ["TOFU"], *args, "-no-color"], cwd=workdir, env=env,
                       capture_output=True, text=True, timeout=900)
    took = time.time() - started
    out = r.stdout + r.stderr
    if ok is True:
        assert r.returncode == 0, f"tofu {' '.join(args)} failed ({took:.1f}s):\n{out}"
    elif ok is False:
        assert r.returncode != 0, f"tofu {' '.join(args)} should have failed:\n{out}"
    return r.returncode, out


def scenario(env, name):
    work = tempfile.mkdtemp(prefix=f"tf-{name}-")
    shutil.copytree(os.path.join(EXAMPLES, name), work, dirs_exist_ok=True)
    tf(env, work, "init", "-input=false")
    tf(env, work, "apply", "-auto-approve", "-input=false")
    assert_plan_empty(env, work)
    return work


def assert_plan_empty(env, work, *extra):
    code, out = tf(env, work, "plan", "-detailed-exitcode", "-input=false", *extra, ok=None)
    assert code == 0, f"the second plan is not empty (exit {code}):\n{out}"


def import_nic(server, env, work, group, subnet):
    """A NIC made outside Terraform is imported, and the plan stays empty."""
    nic = f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Network/networkInterfaces/imported"
    st, body = server.call("PUT", nic, {"location": "eastus", "properties": {"ipConfigurations": [
        {"name": "ipconfig1", "properties": {"subnet": {"id": subnet}, "privateIPAllocationMethod": "Dynamic"}}]}})
    assert st in (200, 201), body
    with open(os.path.join(work, "imported.tf"), "w") as f:
        f.write(f"""
resource "azurerm_network_interface" "imported" {{
  name                = "imported"
  resource_group_name = "{group}"
  location            = "eastus"

  ip_configuration {{
    name                          = "ipconfig1"
    subnet_id                     = "{subnet}"
    private_ip_address_allocation = "Dynamic"
  }}
}}
""")
    tf(env, work, "import", "-input=false", "azurerm_network_interface.imported", nic)
    assert_plan_empty(env, work)


def destroy(server, env, work, group, *extra):
    tf(env, work, "destroy", "-auto-approve", "-input=false", *extra)
    st, body = server.get(f"/subscriptions/{SUB}/resourceGroups/{group}")
    assert st == 404, f"the group is still there: {body}"
    st, body = server.get(f"/subscriptions/{SUB}/resources")
    left = [r["id"] for r in body["value"] if f"/resourceGroups/{group}/".lower() in r["id"].lower()]
    assert left == [], f"destroy left {left}"
    shutil.rmtree(work, ignore_errors=True)


def test_providers_are_registered_by_default(cerulean):
    server, _ = cerulean
    st, body = server.get(f"/subscriptions/{SUB}/providers/Microsoft.Network")
    assert st == 200 and body["registrationState"] == "Registered"


def test_vm_two_nics(cerulean, tf_env):
    server, _ = cerulean
    group = "tf-vm-two-nics"
    work = scenario(tf_env, "vm-two-nics")
    vm_path = f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines"
    for vm, os_type, size_gb in (("linux-vm", "Linux", 30), ("win-vm", "Windows", 127)):
        st, body = server.get(f"{vm_path}/{vm}")
        assert st == 200, body
        nics = body["properties"]["networkProfile"]["networkInterfaces"]
        assert len(nics) == 2 and nics[0]["properties"]["primary"] is True
        os_disk = body["properties"]["storageProfile"]["osDisk"]
        assert (os_disk["osType"], os_disk["diskSizeGB"]) == (os_type, size_gb)
        st, disk = server.get(os_disk["managedDisk"]["id"])
        assert st == 200 and disk["managedBy"].lower() == f"{vm_path}/{vm}".lower(), disk
    subnet = (f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Network/"
              "virtualNetworks/vnet1/subnets/back")
    import_nic(server, tf_env, work, group, subnet)
    # A third NIC is more than Standard_B1s takes: Azure refuses, and says so.
    _, out = tf(tf_env, work, "apply", "-auto-approve", "-input=false", "-var", "linux_nics=3", ok=False)
    assert "NetworkInterfaceCountExceeded" in out, out
    destroy(server, tf_env, work, group, "-var", "linux_nics=3")
    # The OS disks went with their VMs (azurerm deletes them once the VM is gone).
    st, body = server.get(f"/subscriptions/{SUB}/resources")
    assert not [r for r in body["value"] if r["type"] == "Microsoft.Compute/disks"], body


def test_nic_three_ipconfigs(cerulean, tf_env):
    server, _ = cerulean
    group = "tf-nic-three-ipconfigs"
    work = scenario(tf_env, "nic-three-ipconfigs")
    st, nic = server.get(f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Network/networkInterfaces/nic1")
    assert st == 200
    configs = {c["name"]: c["properties"] for c in nic["properties"]["ipConfigurations"]}
    assert configs["ipconfig1"]["privateIPAddress"] == "10.2.1.4"
    assert configs["ipconfig2"]["privateIPAddress"] == "10.2.1.10"
    assert configs["ipconfig3"]["privateIPAddress"] == "10.2.1.5"
    assert "publicIPAddress" in configs["ipconfig1"] and "publicIPAddress" in configs["ipconfig2"]
    subnet = (f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Network/"
              "virtualNetworks/vnet1/subnets/subnet1")
    import_nic(server, tf_env, work, group, subnet)
    # A static address Azure reserves in every subnet is refused.
    main = os.path.join(work, "main.tf")
    with open(main) as f:
        text = f.read()
    with open(main, "w") as f:
        f.write(text.replace('"10.2.1.10"', '"10.2.1.2"'))
    _, out = tf(tf_env, work, "apply", "-auto-approve", "-input=false", ok=False)
    assert "PrivateIPAddressInReservedRange" in out, out
    destroy(server, tf_env, work, group)


def test_lb_backend_pool(cerulean, tf_env):
    server, _ = cerulean
    group = "tf-lb-backend-pool"
    work = scenario(tf_env, "lb-backend-pool")
    lb = f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Network/loadBalancers/lb1"
    st, pool = server.get(f"{lb}/backendAddressPools/pool1")
    assert st == 200, pool
    members = [m["id"] for m in pool["properties"]["backendIPConfigurations"]]
    assert len(members) == 1 and members[0].endswith("/ipConfigurations/secondary"), members
    st, by_ip = server.get(f"{lb}/backendAddressPools/pool2")
    assert st == 200, by_ip
    [address] = by_ip["properties"]["loadBalancerBackendAddresses"]
    assert (address["name"], address["properties"]["ipAddress"]) == ("appliance", "10.3.1.50"), by_ip
    subnet = (f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Network/"
              "virtualNetworks/vnet1/subnets/subnet1")
    import_nic(server, tf_env, work, group, subnet)
    destroy(server, tf_env, work, group)


def test_web_tier(cerulean, tf_env):
    """Two VMs in an availability set behind a public Standard load balancer: probe, rule,
    an SSH NAT rule per VM, a network security group with rules, a route table, a data disk
    and an extension on each VM."""
    server, _ = cerulean
    group = "tf-web-tier"
    work = scenario(tf_env, "web-tier")
    net = f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Network"
    compute = f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Compute"
    st, lb = server.get(f"{net}/loadBalancers/web-lb")
    assert st == 200, lb
    targets = {r["name"]: r["properties"]["backendIPConfiguration"]["id"]
               for r in lb["properties"]["inboundNatRules"]}
    assert targets == {f"ssh-{i}": f"{net}/networkInterfaces/web-{i}-nic/ipConfigurations/ipconfig1"
                       for i in range(2)}, targets
    assert [p["name"] for p in lb["properties"]["probes"]] == ["http"]
    # Each child lists who uses it, as Azure does (the provider reads these back).
    rule = f"{net}/loadBalancers/web-lb/loadBalancingRules/http"
    used_by = lambda child: [r["id"] for r in child["properties"]["loadBalancingRules"]]
    assert used_by(lb["properties"]["probes"][0]) == [rule], lb
    assert used_by(lb["properties"]["backendAddressPools"][0]) == [rule], lb
    assert used_by(lb["properties"]["frontendIPConfigurations"][0]) == [rule], lb
    members = [m["id"] for m in lb["properties"]["backendAddressPools"][0]["properties"]["backendIPConfigurations"]]
    assert len(members) == 2, members
    for i in range(2):
        st, vm = server.get(f"{compute}/virtualMachines/web-{i}")
        assert st == 200, vm
        assert vm["properties"]["availabilitySet"]["id"].lower() == f"{compute}/availabilitySets/web-avset".lower()
        data = vm["properties"]["storageProfile"]["dataDisks"]
        assert [(d["lun"], d["name"]) for d in data] == [(0, f"web-{i}-data")], data
        st, disk = server.get(f"{compute}/disks/web-{i}-data")
        assert st == 200 and disk["properties"]["diskState"] == "Attached", disk
        st, ext = server.get(f"{compute}/virtualMachines/web-{i}/extensions/install-web")
        assert st == 200 and ext["properties"]["type"] == "CustomScript", ext
    st, subnet = server.get(f"{net}/virtualNetworks/web-vnet/subnets/front")
    assert subnet["properties"]["routeTable"]["id"].endswith("/routeTables/web-routes"), subnet
    assert subnet["properties"]["networkSecurityGroup"]["id"].endswith("/networkSecurityGroups/web-nsg"), subnet
    import_nic(server, tf_env, work, group, f"{net}/virtualNetworks/web-vnet/subnets/front")
    # A NAT rule forwards to one IP configuration: the second VM's NIC cannot take the first's.
    main = os.path.join(work, "main.tf")
    with open(main) as f:
        text = f.read()
    with open(main, "w") as f:
        f.write(text.replace("azurerm_lb_nat_rule.ssh[count.index].id", "azurerm_lb_nat_rule.ssh[0].id"))
    _, out = tf(tf_env, work, "apply", "-auto-approve", "-input=false", ok=False)
    assert "InboundNatRuleInUse" in out, out
    destroy(server, tf_env, work, group)


def test_hub_spoke(cerulean, tf_env):
    """Peerings and a NAT gateway kept as sent; a NIC in an application security group; a
    private DNS zone linked to both networks (the provider waits 2 minutes after each link's
    delete, whatever the server answers)."""
    server, _ = cerulean
    group = "tf-hub-spoke"
    work = scenario(tf_env, "hub-spoke")
    net = f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Network"
    st, peering = server.get(f"{net}/virtualNetworks/hub/virtualNetworkPeerings/hub-to-spoke")
    assert st == 200, peering
    assert peering["properties"]["remoteVirtualNetwork"]["id"].lower() == f"{net}/virtualNetworks/spoke".lower()
    st, subnet = server.get(f"{net}/virtualNetworks/spoke/subnets/app")
    assert subnet["properties"]["natGateway"]["id"].lower() == f"{net}/natGateways/nat".lower(), subnet
    st, nic = server.get(f"{net}/networkInterfaces/app-nic")
    asgs = nic["properties"]["ipConfigurations"][0]["properties"]["applicationSecurityGroups"]
    assert [a["id"].lower() for a in asgs] == [f"{net}/applicationSecurityGroups/app-asg".lower()], nic
    # Named by an IP configuration, the group stays.
    st, _ = server.call("DELETE", f"{net}/applicationSecurityGroups/app-asg")
    assert st == 400
    # The private DNS zone: created with its SOA (the provider's soa_record changed it, the
    # host stayed Azure's), its links and record sets counted, the NIC's address in its record.
    zone = f"{net}/privateDnsZones/corp.internal"
    st, got = server.get(zone)
    assert st == 200, got
    assert got["properties"]["numberOfVirtualNetworkLinks"] == 2, got
    assert got["properties"]["numberOfVirtualNetworkLinksWithRegistration"] == 1, got
    assert got["properties"]["numberOfRecordSets"] == 3, got
    st, soa = server.get(f"{zone}/SOA/@")
    assert soa["properties"]["soaRecord"]["email"] == "hostmaster.corp.internal", soa
    assert soa["properties"]["soaRecord"]["refreshTime"] == 1800, soa
    assert soa["properties"]["soaRecord"]["host"] == "azureprivatedns.net", soa
    st, record = server.get(f"{zone}/A/app")
    assert record["properties"]["fqdn"] == "app.corp.internal.", record
    address = nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
    assert record["properties"]["aRecords"] == [{"ipv4Address": address}], record
    # Linked, the zone stays.
    st, refused = server.call("DELETE", zone)
    assert st == 409 and refused["error"]["code"] == "Conflict", refused
    import_nic(server, tf_env, work, group, f"{net}/virtualNetworks/spoke/subnets/app")
    destroy(server, tf_env, work, group)


def test_public_dns(cerulean, tf_env):
    """A public DNS zone: its name servers and apex record sets, records with their FQDN."""
    server, _ = cerulean
    group = "tf-public-dns"
    work = scenario(tf_env, "public-dns")
    zone = f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Network/dnsZones/contoso.example"
    st, got = server.get(zone)
    assert st == 200, got
    assert got["properties"]["nameServers"][0] == "ns1-01.azure-dns.com.", got
    assert got["properties"]["numberOfRecordSets"] == 4, got
    st, www = server.get(f"{zone}/A/www")
    assert www["properties"]["fqdn"] == "www.contoso.example.", www
    assert www["properties"]["ARecords"] == [{"ipv4Address": "203.0.113.10"}], www
    # The apex NS record set goes only with its zone.
    st, refused = server.call("DELETE", f"{zone}/NS/@")
    assert st == 400 and refused["error"]["code"] == "BadRequest", refused
    destroy(server, tf_env, work, group)


def test_private_endpoint(cerulean, tf_env):
    """azurerm_private_endpoint to a storage account (made by an ARM template) with a
    private DNS zone group: the provider reads the address from the endpoint's NIC and the
    record sets from the zone group; the NIC refuses a client's delete; destroy takes the
    endpoint, its NIC and its record."""
    server, _ = cerulean
    group = "tf-private-endpoint"
    work = scenario(tf_env, "private-endpoint")
    _, ip = tf(tf_env, work, "output", "-raw", "private_ip")
    assert ip.strip() == "10.7.1.4", ip
    _, fqdn = tf(tf_env, work, "output", "-raw", "record")
    assert fqdn.strip() == "tfshopdata.privatelink.blob.core.windows.net", fqdn
    net = f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Network"
    st, record = server.get(f"{net}/privateDnsZones/privatelink.blob.core.windows.net/A/tfshopdata")
    assert st == 200 and record["properties"]["aRecords"] == [{"ipv4Address": "10.7.1.4"}], record
    st, pe = server.get(f"{net}/privateEndpoints/tfshopdata-blob")
    nic = pe["properties"]["networkInterfaces"][0]["id"]
    st, refused = server.call("DELETE", nic)
    assert st == 400 and refused["error"]["code"] == "CannotModifyNicAttachedToPrivateEndpoint", refused
    # The manual endpoint waits for the account's owner, who approves it there; the
    # provider's next plan sees nothing to change.
    account = f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Storage/storageAccounts/tfshopdata"
    st, listed = server.get(f"{account}/privateEndpointConnections")
    pending = [c for c in listed["value"] if c["name"].startswith("tfshopdata-file.")]
    assert [c["properties"]["privateLinkServiceConnectionState"]["status"] for c in pending] == ["Pending"], listed
    assert pending[0]["properties"]["privateLinkServiceConnectionState"]["description"] == "for the reports job"
    st, approved = server.call("PUT", pending[0]["id"], {"properties": {
        "privateLinkServiceConnectionState": {"status": "Approved", "description": "ok"}}})
    assert st == 200, approved
    st, pe = server.get(f"{net}/privateEndpoints/tfshopdata-file")
    assert [c["fqdn"] for c in pe["properties"]["customDnsConfigs"]] == ["tfshopdata.file.core.windows.net"], pe
    assert_plan_empty(tf_env, work)
    destroy(server, tf_env, work, group)


def test_private_link_service(cerulean, tf_env):
    """azurerm_private_link_service in front of a Standard internal load balancer (its NAT
    address in a subnet with the service's network policies disabled) and an
    azurerm_private_endpoint connecting by its alias: the provider reads the alias, the NAT
    address and the endpoint's address; the auto-approved connection shows on the service;
    the service's NIC refuses a client's delete; the plan is empty; destroy takes it all."""
    server, _ = cerulean
    group = "tf-private-link-service"
    work = scenario(tf_env, "private-link-service")
    _, alias = tf(tf_env, work, "output", "-raw", "alias")
    assert alias.startswith("reports.") and alias.endswith(".eastus.azure.privatelinkservice"), alias
    _, nat_ip = tf(tf_env, work, "output", "-raw", "nat_ip")
    assert nat_ip.strip() == "10.8.2.10", nat_ip
    _, endpoint_ip = tf(tf_env, work, "output", "-raw", "endpoint_ip")
    assert endpoint_ip.strip() == "10.8.3.4", endpoint_ip
    net = f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Network"
    st, connections = server.get(f"{net}/privateLinkServices/reports/privateEndpointConnections")
    assert st == 200, connections
    [c] = connections["value"]
    assert c["properties"]["privateLinkServiceConnectionState"]["status"] == "Approved", c
    st, pls = server.get(f"{net}/privateLinkServices/reports")
    nic = pls["properties"]["networkInterfaces"][0]["id"]
    st, refused = server.call("DELETE", nic)
    assert st == 400 and refused["error"]["code"] == "CannotModifyNicAttachedToPrivateLinkService", refused
    destroy(server, tf_env, work, group)


def test_nsg_association(cerulean, tf_env):
    server, _ = cerulean
    group = "tf-nsg-association"
    work = scenario(tf_env, "nsg-association")
    net = f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Network"
    st, nic = server.get(f"{net}/networkInterfaces/nic1")
    assert nic["properties"]["networkSecurityGroup"]["id"].lower() == f"{net}/networkSecurityGroups/nsg1".lower()
    st, subnet = server.get(f"{net}/virtualNetworks/vnet1/subnets/subnet1")
    assert subnet["properties"]["networkSecurityGroup"]["id"].lower() == f"{net}/networkSecurityGroups/nsg1".lower()
    import_nic(server, tf_env, work, group, f"{net}/virtualNetworks/vnet1/subnets/subnet1")
    destroy(server, tf_env, work, group)


def test_template_modules(cerulean, tf_env):
    """azurerm_resource_group_template_deployment with a template of modules: the modules run
    as deployments of the group, the parent's outputs reach Terraform, the second plan is
    empty, and destroy (the group takes the template's resources) leaves nothing."""
    server, _ = cerulean
    group = "tf-template-modules"
    work = scenario(tf_env, "template-modules")
    _, out = tf(tf_env, work, "output", "-raw", "nic_ip")
    assert out.strip() == "10.5.1.4", out
    deployments = f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Resources/deployments"
    st, body = server.get(deployments)
    assert sorted(d["name"] for d in body["value"]) == ["app", "network", "nic"], body
    st, nic = server.get(f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Network/networkInterfaces/app-nic")
    assert st == 200, nic
    destroy(server, tf_env, work, group)


def test_custom_role(cerulean, tf_env):
    """azurerm_role_definition (a custom role assignable in one group) and an
    azurerm_role_assignment of it: both read back as written (the second plan is empty), and
    destroy removes the assignment, then the role."""
    server, _ = cerulean
    group = "tf-custom-role"
    work = scenario(tf_env, "custom-role")
    _, out = tf(tf_env, work, "output", "-raw", "role_definition_id")
    role_id = out.strip()
    roles = f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions"
    st, role = server.get(f"{roles}/{role_id}")
    assert st == 200, role
    assert role["properties"]["roleName"] == "NIC Operator (tf-custom-role)"
    assert role["properties"]["assignableScopes"] == [f"/subscriptions/{SUB}/resourceGroups/{group}"]
    st, assigned = server.get(
        f"/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Authorization/roleAssignments")
    assert [a["properties"]["roleDefinitionId"].rsplit("/", 1)[1] for a in assigned["value"]] == [role_id], assigned
    # The provider polls a deleted role definition until 20 reads in a row, 10 s apart, find
    # it gone (as on Azure, whose deletes take time to propagate): about 200 s of this test.
    destroy(server, tf_env, work, group)
    st, _ = server.get(f"{roles}/{role_id}")
    assert st == 404
