"""The seeds' portal steps, word for word, in a real browser; each step's result is checked
through the API as well."""

import os
import re
import uuid

import pytest
from playwright.sync_api import expect

from conftest import SUBSCRIPTION, Server, group_path, net, shot, sign_in, vm_path

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RG = "seed-rg"
VM = "vm1"


def seed_network(arm, rg, region="eastus"):
    arm.put(group_path(rg), {"location": region})
    arm.put(net(rg, "virtualNetworks", "vnet1"), {
        "location": region,
        "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [
                {"name": "front", "properties": {"addressPrefix": "10.0.1.0/24"}},
                {"name": "back", "properties": {"addressPrefix": "10.0.2.0/24"}},
            ],
        },
    })


def nic(arm, rg, name, subnet, region="eastus"):
    return arm.put(net(rg, "networkInterfaces", name), {
        "location": region,
        "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
            "subnet": {"id": f"{net(rg, 'virtualNetworks', 'vnet1')}/subnets/{subnet}"}}}]},
    })


@pytest.fixture(scope="module")
def seeded(arm):
    """vm1 (Linux, Standard_DS3_v2: up to four NICs) with nic1 (primary, front) and nic2
    (back); nic3 is free in the same region, nic-west in another one."""
    seed_network(arm, RG)
    for name, subnet in (("nic1", "front"), ("nic2", "back"), ("nic3", "back")):
        nic(arm, RG, name, subnet)
    arm.put(group_path("west-rg"), {"location": "westus"})
    arm.put(net("west-rg", "virtualNetworks", "vnet1"), {
        "location": "westus",
        "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]},
                       "subnets": [{"name": "default", "properties": {"addressPrefix": "10.9.0.0/24"}}]},
    })
    arm.put(net("west-rg", "networkInterfaces", "nic-west"), {
        "location": "westus",
        "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
            "subnet": {"id": f"{net('west-rg', 'virtualNetworks', 'vnet1')}/subnets/default"}}}]},
    })
    arm.put(vm_path(RG, VM), {
        "location": "eastus",
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_DS3_v2"},
            "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy",
                                                  "sku": "22_04-lts-gen2", "version": "latest"},
                               "osDisk": {"createOption": "FromImage", "osType": "Linux"}},
            "osProfile": {"computerName": VM, "adminUsername": "azureuser", "adminPassword": "S3cret!pass-1234"},
            "networkProfile": {"networkInterfaces": [
                {"id": net(RG, "networkInterfaces", "nic1"), "properties": {"primary": True}},
                {"id": net(RG, "networkInterfaces", "nic2"), "properties": {"primary": False}},
            ]},
        },
    })
    return vm_path(RG, VM)


def open_vm_from_search(page):
    """Seed steps 2 and 3: search "virtual machines", click **Virtual machines**, click the VM."""
    search = page.get_by_placeholder("Search resources")
    search.click()
    search.fill("virtual machines")
    page.get_by_role("option", name=re.compile("^Virtual machines")).click()
    expect(page.get_by_role("heading", name="Virtual machines", exact=True)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=VM)
    expect(row).to_contain_text(RG)
    row.get_by_role("link", name=VM, exact=True).click()
    expect(page.get_by_role("heading", name=VM, exact=True)).to_be_visible()


def networking(page):
    """Seed step 4: in the SETTINGS section of the VM's blade, click **Networking**."""
    menu = page.get_by_role("navigation", name="Blade menu")
    expect(menu).to_contain_text("SETTINGS")
    menu.get_by_role("link", name="Networking").click()
    expect(page.get_by_role("region", name="Network interface nic1")).to_be_visible()


def toolbar_button(page, name):
    return page.get_by_role("toolbar").get_by_role("button", name=name, exact=True)


def wait_notification(page, text):
    expect(page.locator(".toast").filter(has_text=text).first).to_be_visible(timeout=20_000)


def test_seed_detach_and_attach_network_interfaces(page, server, arm, seeded):
    sign_in(page, server)
    shot(page, "home")
    open_vm_from_search(page)
    expect(page.locator("dl.essentials")).to_contain_text("VM running")
    shot(page, "vm-overview")
    networking(page)
    expect(page.get_by_role("region", name="Network interface nic1")).to_contain_text("Primary")
    expect(page.get_by_role("region", name="Network interface nic2")).to_contain_text("Secondary")

    # While the VM runs, Azure disables both buttons and says why.
    detach = toolbar_button(page, "X Detach network interface")
    attach = toolbar_button(page, "+ Attach network interface")
    expect(detach).to_be_disabled()
    expect(attach).to_be_disabled()
    expect(page.get_by_role("note")).to_contain_text("must be stopped (deallocated)")
    shot(page, "vm-networking-running")

    # Stop (the portal's Stop deallocates), from the Overview.
    page.get_by_role("navigation", name="Blade menu").get_by_role("link", name="Overview").click()
    toolbar_button(page, "Stop").click()
    wait_notification(page, f"Stopped (deallocated) virtual machine '{VM}'")
    expect(page.locator("dl.essentials")).to_contain_text("VM deallocated")
    assert arm.power(seeded) == "deallocated"

    # Seed steps 5 and 6: click X Detach network interface, pick it in the drop-down, OK.
    networking(page)
    expect(detach).to_be_enabled()
    detach.click()
    pane = page.get_by_role("dialog", name="Detach network interface")
    expect(pane).to_contain_text("Select the network interface you want to detach from the drop-down list, then click OK.")
    pane.get_by_label("Network interface").select_option(label="nic2")
    shot(page, "vm-detach")
    pane.get_by_role("button", name="OK").click()
    wait_notification(page, "Detached network interface 'nic2'")
    expect(page.get_by_role("region", name="Network interface nic2")).to_have_count(0)
    assert arm.nic_ids(seeded) == ["nic1"]
    assert "virtualMachine" not in arm.get(net(RG, "networkInterfaces", "nic2"))["properties"]

    # Attach: only NICs that are on no VM and in the VM's region are offered.
    attach.click()
    pane = page.get_by_role("dialog", name="Attach network interface")
    options = pane.get_by_label("Network interface").locator("option")
    expect(options).to_have_count(2)  # nic2 (just detached) and nic3; not nic1, not nic-west
    expect(pane.get_by_label("Network interface")).not_to_contain_text("nic-west")
    pane.get_by_label("Network interface").select_option(label=f"nic3 ({RG})")
    pane.get_by_role("button", name="OK").click()
    wait_notification(page, "Attached network interface 'nic3'")
    expect(page.get_by_role("region", name="Network interface nic3")).to_contain_text("Secondary")
    assert arm.nic_ids(seeded) == ["nic1", "nic3"]
    shot(page, "vm-networking")

    # The refusal on a running VM: someone starts the VM (through the API) while this page
    # still shows it deallocated; the detach is refused with Azure's code and message.
    status, _ = arm.post(f"{seeded}/start")
    assert status in (200, 202, 204)
    detach.click()
    pane = page.get_by_role("dialog", name="Detach network interface")
    pane.get_by_label("Network interface").select_option(label="nic3")
    pane.get_by_role("button", name="OK").click()
    alert = pane.get_by_role("alert")
    expect(alert).to_contain_text("AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported")
    expect(alert).to_contain_text(f"Adding or deleting network interfaces on virtual machine {VM} is only supported when it is deallocated")
    wait_notification(page, "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported")
    shot(page, "vm-detach-refused", toasts=True)
    assert arm.nic_ids(seeded) == ["nic1", "nic3"]
    pane.get_by_role("button", name="Cancel").click()
    toolbar_button(page, "Refresh").click()
    expect(detach).to_be_disabled()

    # The refusal itself is the only failed request (ARM answers it with 400).
    assert page.console.unexpected(allowed_statuses=(400, 409)) == []


def test_start_restart_and_stop(page, server, arm, seeded):
    sign_in(page, server)
    page.goto(f"{server.url}/#/resource{seeded}")
    essentials = page.locator("dl.essentials")
    if arm.power(seeded) == "running":
        toolbar_button(page, "Stop").click()
        wait_notification(page, f"Stopped (deallocated) virtual machine '{VM}'")
        expect(essentials).to_contain_text("VM deallocated")
    assert arm.power(seeded) == "deallocated"
    toolbar_button(page, "Start").click()
    wait_notification(page, f"Started virtual machine '{VM}'")
    expect(essentials).to_contain_text("VM running")
    assert arm.power(seeded) == "running"
    toolbar_button(page, "Restart").click()
    wait_notification(page, f"Restarted virtual machine '{VM}'")
    assert arm.power(seeded) == "running"
    # A dynamic public IP gets its address while the VM runs: the overview shows the NIC's.
    expect(essentials).to_contain_text(re.compile(r"Private IP address\s*10\.0\.1\.\d+"))
    assert page.console.unexpected() == []


def test_create_a_virtual_machine_makes_the_default_network_interface(page, server, arm):
    sign_in(page, server)
    page.get_by_role("link", name="Create a virtual machine").click()
    expect(page.get_by_role("heading", name="Create a virtual machine")).to_be_visible()
    page.get_by_label("Resource group", exact=True).select_option("__new__")
    page.get_by_label("New resource group name").fill("create-rg")
    page.get_by_label("Virtual machine name").fill("webvm")
    page.get_by_label("Region").select_option("eastus")
    page.get_by_label("Password").fill("S3cret!pass-1234")
    expect(page.get_by_label("Virtual network")).to_contain_text("(new) webvm-vnet")
    expect(page.get_by_label("Public IP")).to_contain_text("(new) webvm-ip")
    shot(page, "create-vm")
    page.get_by_role("button", name="Review + create").click()
    wait_notification(page, "Created virtual machine 'webvm'")
    expect(page.get_by_role("status").filter(has_text="Your deployment")).to_have_text("Your deployment is complete")

    vm = arm.get(vm_path("create-rg", "webvm"))
    refs = vm["properties"]["networkProfile"]["networkInterfaces"]
    assert len(refs) == 1
    nic_name = refs[0]["id"].rsplit("/", 1)[1]
    assert re.fullmatch(r"webvm\d{3}", nic_name), nic_name
    nic_body = arm.get(net("create-rg", "networkInterfaces", nic_name))
    cfg = nic_body["properties"]["ipConfigurations"][0]["properties"]
    assert cfg["subnet"]["id"].lower().endswith("/virtualnetworks/webvm-vnet/subnets/default")
    assert cfg["publicIPAddress"]["id"].lower().endswith("/publicipaddresses/webvm-ip")
    assert cfg["privateIPAddress"] == "10.0.0.4"

    # The VM appears in the list with its status and size.
    page.goto(f"{server.url}/#/browse/vms")
    row = page.get_by_role("row").filter(has_text="webvm")
    expect(row).to_contain_text("create-rg")
    expect(row).to_contain_text("VM running")
    assert page.console.unexpected() == []


def test_create_virtual_machines_in_an_availability_set(page, server, arm):
    """Availability options: an existing set of the group and region, or a new one; the VM
    shows its set and the set lists its VMs (a VM joins a set only when it is created)."""
    rg = "avset-rg"
    arm.put(group_path(rg), {"location": "eastus"})
    existing = arm.put(f"{group_path(rg)}/providers/Microsoft.Compute/availabilitySets/as1",
                       {"location": "eastus", "properties": {"platformFaultDomainCount": 2}})
    sign_in(page, server)

    def create(name, choose):
        page.goto(f"{server.url}/#/create/vm")
        expect(page.get_by_role("heading", name="Create a virtual machine")).to_be_visible()
        page.get_by_label("Resource group", exact=True).select_option(rg)
        page.get_by_label("Virtual machine name").fill(name)
        page.get_by_label("Availability options").select_option(label="Availability set")
        choose()
        page.get_by_label("Password").fill("S3cret!pass-1234")
        page.get_by_role("button", name="Review + create").click()
        wait_notification(page, f"Created virtual machine '{name}'")

    def existing_set():
        expect(page.get_by_label("Availability set", exact=True)).to_contain_text("as1")
        page.get_by_label("Availability set", exact=True).select_option(label="as1")
        shot(page, "create-vm-availability-set")

    def new_set():
        page.get_by_label("Availability set", exact=True).select_option(label="Create new…")
        page.get_by_label("New availability set name").fill("as2")

    create("setvm1", existing_set)
    create("setvm2", new_set)
    for name, set_name in (("setvm1", "as1"), ("setvm2", "as2")):
        vm = arm.get(vm_path(rg, name))
        assert vm["properties"]["availabilitySet"]["id"].lower().endswith(f"/availabilitysets/{set_name}")
    assert existing["id"].lower().endswith("/availabilitysets/as1")

    page.goto(f"{server.url}/#/resource{vm_path(rg, 'setvm1')}")
    page.get_by_role("link", name="as1", exact=True).click()
    expect(page.get_by_role("heading", name="as1")).to_be_visible()
    expect(page.get_by_role("table", name="Virtual machines")).to_contain_text("setvm1")
    shot(page, "availability-set")
    page.goto(f"{server.url}/#/browse/avsets")
    expect(page.get_by_role("row").filter(has_text="as2")).to_contain_text(rg)
    assert page.console.unexpected() == []


def test_add_and_remove_ip_configurations_as_seed_004(page, server, arm, seeded):
    """Seed 004: one NIC with three private IPs, two of them with public IPs."""
    sign_in(page, server)
    nic1 = net(RG, "networkInterfaces", "nic1")
    page.goto(f"{server.url}/#/resource{nic1}")
    page.get_by_role("navigation", name="Blade menu").get_by_role("link", name="IP configurations").click()
    table = page.get_by_role("table", name="IP configurations")
    expect(table).to_contain_text("ipconfig1")

    def add(name, static=None, new_pip=None):
        toolbar_button(page, "+ Add").click()
        pane = page.get_by_role("dialog", name="Add IP configuration")
        pane.get_by_label("Name", exact=True).fill(name)
        if static:
            pane.get_by_label("Static", exact=True).first.check()
            pane.get_by_role("textbox", name="IP address").fill(static)
        if new_pip:
            pane.get_by_label("Create new").check()
            pane.get_by_label("Public IP address name").fill(new_pip)
        return pane

    pane = add("ipconfig2", static="10.0.1.10", new_pip="nic1-pip2")
    shot(page, "nic-add-ip-configuration")
    pane.get_by_role("button", name="OK").click()
    wait_notification(page, "Added IP configuration 'ipconfig2'")
    expect(table).to_contain_text("10.0.1.10")
    body = arm.get(nic1)
    c2 = next(c for c in body["properties"]["ipConfigurations"] if c["name"] == "ipconfig2")["properties"]
    assert c2["privateIPAllocationMethod"] == "Static" and c2["privateIPAddress"] == "10.0.1.10"
    assert c2["publicIPAddress"]["id"].lower().endswith("/nic1-pip2")

    # The same static address again: the server refuses, the pane shows Azure's code.
    pane = add("ipconfig3", static="10.0.1.10")
    pane.get_by_role("button", name="OK").click()
    expect(pane.get_by_role("alert")).to_contain_text("PrivateIPAddressInUse")
    pane.get_by_role("textbox", name="IP address").fill("10.0.1.11")
    pane.get_by_label("Create new").check()
    pane.get_by_label("Public IP address name").fill("nic1-pip3")
    pane.get_by_role("button", name="OK").click()
    wait_notification(page, "Added IP configuration 'ipconfig3'")
    pane = add("ipconfig4")
    pane.get_by_role("button", name="OK").click()
    wait_notification(page, "Added IP configuration 'ipconfig4'")
    expect(table.get_by_role("row")).to_have_count(5)
    shot(page, "nic-ip-configurations")
    configs = arm.get(nic1)["properties"]["ipConfigurations"]
    assert [c["name"] for c in configs] == ["ipconfig1", "ipconfig2", "ipconfig3", "ipconfig4"]
    assert sum(1 for c in configs if "publicIPAddress" in c["properties"]) == 2

    # Remove a secondary one.
    table.get_by_role("button", name="Remove ipconfig4").click()
    wait_notification(page, "Removed IP configuration 'ipconfig4'")
    expect(table.get_by_role("row")).to_have_count(4)
    assert [c["name"] for c in arm.get(nic1)["properties"]["ipConfigurations"]] == ["ipconfig1", "ipconfig2", "ipconfig3"]
    assert page.console.unexpected(allowed_statuses=(400,)) == []


def test_effective_routes_and_run_command(page, server, arm, seeded):
    """The seed's routing steps: the NIC's effective routes, then `ip route` in the VM."""
    if arm.power(seeded) != "running":
        arm.post(f"{seeded}/start")
    sign_in(page, server)
    page.goto(f"{server.url}/#/resource{seeded}?tab=networking")
    page.get_by_role("region", name="Network interface nic1").get_by_role("link", name="Effective routes").click()
    routes = page.get_by_role("table", name="Effective routes")
    expect(routes).to_contain_text("VnetLocal")
    expect(routes.get_by_role("row").filter(has_text="0.0.0.0/0")).to_contain_text("Internet")
    shot(page, "nic-effective-routes")
    status, api = arm.post(f"{net(RG, 'networkInterfaces', 'nic1')}/effectiveRouteTable")
    assert status == 200, api
    prefixes = {p for r in api["value"] for p in r["addressPrefix"]}
    for p in prefixes:
        expect(routes).to_contain_text(p)

    page.goto(f"{server.url}/#/resource{seeded}")
    page.get_by_role("navigation", name="Blade menu").get_by_role("link", name="Run command").click()
    expect(page.get_by_label("Command")).to_have_value("RunShellScript")
    page.get_by_label("Script").fill("ip route")
    page.get_by_role("button", name="Run", exact=True).click()
    output = page.get_by_label("Output")
    expect(output).to_contain_text("default via 10.0.1.1 dev eth0", timeout=20_000)
    shot(page, "vm-run-command")
    status, api = arm.post(f"{seeded}/runCommand", {"commandId": "RunShellScript", "script": ["ip route"]})
    assert status == 200 and "default via 10.0.1.1 dev eth0" in api["value"][0]["message"]

    # The wrong interpreter for the OS: the server's refusal, shown as it is.
    page.get_by_label("Command").select_option("RunPowerShellScript")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="InvalidParameter").first).to_be_visible()
    assert page.console.unexpected(allowed_statuses=(400,)) == []


def test_deploy_a_custom_template(page, server, arm, seeded):
    sign_in(page, server)
    page.get_by_placeholder("Search resources").fill("deploy a custom template")
    page.get_by_role("option", name=re.compile("^Deployments")).click()
    toolbar_button(page, "Deploy a custom template").click()
    page.get_by_label("Resource group").select_option(RG)
    page.get_by_label("Deployment name").fill("portal-template")
    page.get_by_label("Parameters").fill('{"vnetName": {"value": "templated-vnet"}}')
    shot(page, "deploy-template")
    page.get_by_role("button", name="Review + create").click()
    expect(page.get_by_role("status").filter(has_text="Your deployment")).to_have_text("Your deployment is complete", timeout=20_000)
    expect(page.get_by_role("table", name="Deployment operations")).to_contain_text("templated-vnet")
    expect(page.get_by_role("table", name="Outputs")).to_contain_text("templated-vnet")
    shot(page, "deployment")
    assert arm.get(net(RG, "virtualNetworks", "templated-vnet"))["properties"]["addressSpace"]["addressPrefixes"] == ["10.0.0.0/16"]
    dep = arm.get(f"{group_path(RG)}/providers/Microsoft.Resources/deployments/portal-template")
    assert dep["properties"]["provisioningState"] == "Succeeded"

    # A template the server refuses: Azure's code beside the form, nothing created.
    page.goto(f"{server.url}/#/create/deployment")
    page.get_by_label("Resource group").select_option(RG)
    page.get_by_label("Template").fill('{"resources": [{"type": "Microsoft.Network/virtualNetworks", "name": "[bogus(]"}]}')
    page.get_by_role("button", name="Review + create").click()
    expect(page.get_by_role("alert").filter(has_text="InvalidTemplate").first).to_be_visible()
    assert page.console.unexpected(allowed_statuses=(400,)) == []


def test_deploy_a_subscription_template(page, server, arm):
    """A template whose $schema is a subscription deployment template's goes to the
    subscription (az deployment sub create): the form asks for a region instead of a group."""
    sign_in(page, server)
    page.goto(f"{server.url}/#/create/deployment")
    expect(page.get_by_label("Resource group")).to_be_visible()
    with open(os.path.join(ROOT, "examples", "templates", "landing-zone.json")) as f:
        page.get_by_label("Template").fill(f.read())
    expect(page.get_by_role("note")).to_contain_text("deploys to the subscription")
    expect(page.get_by_label("Resource group")).to_have_count(0)
    page.get_by_label("Region").select_option("westus")
    page.get_by_label("Deployment name").fill("portal-landing")
    page.get_by_label("Parameters").fill('{"rgName": {"value": "portal-lz"}}')
    shot(page, "deploy-subscription-template")
    page.get_by_role("button", name="Review + create").click()
    expect(page.get_by_role("status").filter(has_text="Your deployment")).to_have_text("Your deployment is complete", timeout=20_000)
    ops = page.get_by_role("table", name="Deployment operations")
    expect(ops).to_contain_text("portal-lz")
    expect(ops).to_contain_text("Microsoft.Resources/deployments")
    expect(page.get_by_role("table", name="Outputs")).to_contain_text("10.20.1.4")
    expect(page.locator(".essentials")).to_contain_text("Subscription")
    expect(page.locator(".essentials")).to_contain_text("westus")
    shot(page, "subscription-deployment")

    sub_deployments = f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Resources/deployments"
    dep = arm.get(f"{sub_deployments}/portal-landing")
    assert (dep["location"], dep["properties"]["provisioningState"]) == ("westus", "Succeeded")
    assert arm.get(group_path("portal-lz"))["location"] == "westus"

    # The list holds both scopes: the subscription's deployment and its module in the group.
    page.goto(f"{server.url}/#/browse/deployments")
    table = page.get_by_role("table", name="Deployments")
    expect(table.get_by_role("row").filter(has_text="portal-landing")).to_contain_text("Subscription")
    expect(table.get_by_role("row").filter(has_text="network")).to_contain_text("portal-lz")
    table.get_by_role("link", name="portal-landing").click()
    expect(page.get_by_role("heading", name="portal-landing", exact=True)).to_be_visible()
    assert page.console.unexpected() == []


def test_access_control_of_a_group(page, server, arm, seeded):
    """A group's "Access control (IAM)": its roles, a role assignment added with the pane and
    checked through the API, a refusal shown with Azure's code, the assignment removed."""
    sign_in(page, server)
    page.goto(f"{server.url}/#/resource{group_path(RG)}?tab=iam")
    expect(page.get_by_role("table", name="Roles")).to_contain_text("Network Contributor")
    principal = str(uuid.uuid4())
    toolbar_button(page, "+ Add role assignment").click()
    pane = page.get_by_role("dialog", name="Add role assignment")
    pane.get_by_label("Role").select_option(label="Network Contributor")
    pane.get_by_label("Principal object ID").fill(principal)
    pane.get_by_label("Principal type").select_option("ServicePrincipal")
    pane.get_by_role("button", name="Review + assign").click()
    row = page.get_by_role("table", name="Role assignments").get_by_role("row").filter(has_text=principal)
    expect(row).to_contain_text("Network Contributor")
    expect(row).to_contain_text("This resource")
    shot(page, "group-access-control")
    authz = f"{group_path(RG)}/providers/Microsoft.Authorization/roleAssignments"
    found = [a for a in arm.get(authz)["value"] if a["properties"]["principalId"] == principal]
    assert [a["properties"]["principalType"] for a in found] == ["ServicePrincipal"]
    assert found[0]["properties"]["roleDefinitionId"].endswith("/4d97b98b-1d4f-4787-a291-c67834d212e7")

    # A VM in the group inherits it.
    page.goto(f"{server.url}/#/resource{seeded}?tab=iam")
    inherited = page.get_by_role("table", name="Role assignments").get_by_role("row").filter(has_text=principal)
    expect(inherited).to_contain_text(f"{group_path(RG)} (Inherited)")
    expect(inherited.get_by_role("button", name="Remove")).to_have_count(0)
    page.goto(f"{server.url}/#/resource{group_path(RG)}?tab=iam")

    # The same grant again: ARM's refusal beside the form, nothing added.
    toolbar_button(page, "+ Add role assignment").click()
    pane.get_by_label("Role").select_option(label="Network Contributor")
    pane.get_by_label("Principal object ID").fill(principal)
    pane.get_by_label("Principal type").select_option("ServicePrincipal")
    pane.get_by_role("button", name="Review + assign").click()
    expect(pane.get_by_role("alert").filter(has_text="RoleAssignmentExists")).to_be_visible()
    page.keyboard.press("Escape")

    page.get_by_role("button", name=f"Remove Network Contributor from {principal}").click()
    expect(row).to_have_count(0)
    assert [a for a in arm.get(authz)["value"] if a["properties"]["principalId"] == principal] == []
    assert page.console.unexpected(allowed_statuses=(409,)) == []


def test_search_finds_resources_by_name_and_the_keyboard_opens_them(page, server, arm, seeded):
    sign_in(page, server)
    page.keyboard.press("/")
    expect(page.get_by_placeholder("Search resources")).to_be_focused()
    page.keyboard.type("nic3")
    expect(page.get_by_role("option", name=re.compile("^nic3"))).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="nic3", exact=True)).to_be_visible()

    # A pane opened from the keyboard takes focus, Escape closes it, focus comes back.
    page.goto(f"{server.url}/#/browse/groups")
    create = toolbar_button(page, "+ Create")
    create.focus()
    page.keyboard.press("Enter")
    pane = page.get_by_role("dialog", name="Create a resource group")
    expect(pane.get_by_label("Resource group")).to_be_focused()
    page.keyboard.press("Escape")
    expect(pane).to_have_count(0)
    expect(create).to_be_focused()
    assert page.console.unexpected() == []


ZONE = f"{group_path(RG)}/providers/Microsoft.Network/privateDnsZones/corp.internal"


def test_private_dns_zone_links_the_vms_network_and_registers_it(page, server, arm, seeded):
    """A private DNS zone: link the VM's network with auto registration (the VM's record
    appears, marked auto-registered), then add an A record set."""
    arm.put(ZONE, {"location": "global"})
    sign_in(page, server)
    page.goto(f"{server.url}/#/browse/dnszones")
    page.get_by_role("table", name="Private DNS zones").get_by_role("link", name="corp.internal").click()
    expect(page.get_by_role("heading", name="corp.internal", exact=True)).to_be_visible()
    menu = page.get_by_role("navigation", name="Blade menu")
    menu.get_by_role("link", name="Virtual network links").click()
    toolbar_button(page, "+ Add").click()
    pane = page.get_by_role("dialog", name="Add virtual network link")
    pane.get_by_label("Link name").fill("vnet1-link")
    pane.get_by_label("Virtual network").select_option(label=f"vnet1 ({RG})")
    pane.get_by_label("Enable auto registration").check()
    pane.get_by_role("button", name="OK").click()
    wait_notification(page, "Added virtual network link 'vnet1-link'")
    expect(page.get_by_role("table", name="Virtual network links")).to_contain_text("Enabled")

    menu.get_by_role("link", name="Overview").click()
    sets = page.get_by_role("table", name="Record sets")
    expect(sets.get_by_role("row").filter(has_text=VM)).to_contain_text("True")
    toolbar_button(page, "+ Record set").click()
    pane = page.get_by_role("dialog", name="Add record set")
    pane.get_by_label("Name", exact=True).fill("db")
    pane.get_by_label("IP address").fill("10.0.2.50")
    pane.get_by_role("button", name="OK").click()
    wait_notification(page, "Added record set 'db'")
    expect(sets).to_contain_text("10.0.2.50")
    shot(page, "private-dns-zone")
    assert arm.get(f"{ZONE}/A/db")["properties"]["aRecords"] == [{"ipv4Address": "10.0.2.50"}]
    registered = arm.get(f"{ZONE}/A/{VM}")["properties"]
    assert registered["isAutoRegistered"] is True, registered
    assert page.console.unexpected() == []


PE_RG = "pe-rg"
ACCOUNT = f"{group_path(PE_RG)}/providers/Microsoft.Storage/storageAccounts/shopdata"
BLOB_ZONE = f"{group_path(PE_RG)}/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net"


def seed_endpoint_targets(arm):
    seed_network(arm, PE_RG)
    arm.put(ACCOUNT, {"location": "eastus", "kind": "StorageV2"})
    arm.put(BLOB_ZONE, {"location": "global"})


def test_private_endpoint_to_a_storage_account_with_its_dns_record(page, server, arm):
    """Create a private endpoint to a storage account's blobs from the list (its NIC takes
    the subnet's first address), then add its DNS configuration with the private zone: the
    account's record appears with the endpoint's address."""
    seed_endpoint_targets(arm)
    sign_in(page, server)
    page.goto(f"{server.url}/#/browse/endpoints")
    toolbar_button(page, "+ Create").click()
    pane = page.get_by_role("dialog", name="Create a private endpoint")
    pane.get_by_label("Name").fill("shop-blob")
    pane.get_by_label("Resource group").select_option(PE_RG)
    pane.get_by_label("Virtual network/subnet").select_option(label=f"vnet1/back ({PE_RG})")
    pane.get_by_label("Resource", exact=True).select_option(label="shopdata (Microsoft.Storage/storageAccounts)")
    # The account's sub-resources load once it is picked: the field becomes a list.
    sub_resource = pane.locator("select#pe-sub")
    expect(sub_resource).to_be_visible()
    sub_resource.select_option("blob")
    pane.get_by_role("button", name="Create").click()
    wait_notification(page, "Created private endpoint 'shop-blob'")
    expect(page.get_by_role("heading", name="shop-blob", exact=True)).to_be_visible()
    essentials = page.locator("dl.essentials")
    expect(essentials).to_contain_text("10.0.2.4")
    expect(essentials).to_contain_text("Approved")
    expect(page.get_by_role("table", name="Connection")).to_contain_text("blob")

    page.get_by_role("navigation", name="Blade menu").get_by_role("link", name="DNS configuration").click()
    expect(page.get_by_role("table", name="Customer visible FQDNs")).to_contain_text("shopdata.blob.core.windows.net")
    toolbar_button(page, "+ Add configuration").click()
    pane = page.get_by_role("dialog", name="Add DNS configuration")
    pane.get_by_label("Private DNS zone").select_option(label=f"privatelink.blob.core.windows.net ({PE_RG})")
    pane.get_by_role("button", name="OK").click()
    wait_notification(page, "Added the DNS configuration")
    records = page.get_by_role("table", name="DNS records")
    expect(records).to_contain_text("shopdata.privatelink.blob.core.windows.net")
    expect(records).to_contain_text("10.0.2.4")
    expect(toolbar_button(page, "+ Add configuration")).to_be_disabled()
    shot(page, "private-endpoint")
    record = arm.get(f"{BLOB_ZONE}/A/shopdata")["properties"]
    assert record["aRecords"] == [{"ipv4Address": "10.0.2.4"}], record
    page.goto(f"{server.url}/#/browse/endpoints")
    expect(page.get_by_role("table", name="Private endpoints").get_by_role("row").filter(has_text="shop-blob")).to_contain_text("10.0.2.4")
    # Its NIC says whose it is and what it serves.
    nic = arm.get(f"{group_path(PE_RG)}/providers/Microsoft.Network/privateEndpoints/shop-blob")["properties"]["networkInterfaces"][0]["id"]
    page.goto(f"{server.url}/#/resource{nic}")
    essentials = page.locator("dl.essentials")
    expect(essentials).to_contain_text("shop-blob")
    expect(essentials).to_contain_text("blob (shopdata.blob.core.windows.net)")
    assert page.console.unexpected() == []


def test_the_account_owner_approves_a_requested_endpoint(page, server, arm):
    """Create an endpoint that asks for approval (a manual connection): it waits Pending with
    no names. On the storage account's page the owner selects the connection and approves it;
    the endpoint then shows the account's name. Rejected, it loses the name and cannot be
    approved again; removed, the endpoint is left disconnected."""
    seed_endpoint_targets(arm)
    sign_in(page, server)
    page.goto(f"{server.url}/#/browse/endpoints")
    toolbar_button(page, "+ Create").click()
    pane = page.get_by_role("dialog", name="Create a private endpoint")
    pane.get_by_label("Name").fill("asker")
    pane.get_by_label("Resource group").select_option(PE_RG)
    pane.get_by_label("Virtual network/subnet").select_option(label=f"vnet1/back ({PE_RG})")
    pane.get_by_label("Resource", exact=True).select_option(label="shopdata (Microsoft.Storage/storageAccounts)")
    sub_resource = pane.locator("select#pe-sub")
    expect(sub_resource).to_be_visible()
    sub_resource.select_option("blob")
    pane.get_by_label("Request approval from the resource's owner").check()
    pane.get_by_label("Request message").fill("for the shop's app")
    pane.get_by_role("button", name="Create").click()
    wait_notification(page, "Created private endpoint 'asker'")
    expect(page.locator("dl.essentials")).to_contain_text("Pending")
    expect(page.get_by_role("table", name="Connection")).to_contain_text("for the shop's app")

    page.goto(f"{server.url}/#/resource{ACCOUNT}")
    table = page.get_by_role("table", name="Private endpoint connections")
    row = table.get_by_role("row").filter(has_text="asker.")
    expect(row).to_contain_text("Pending")
    expect(row).to_contain_text("for the shop's app")
    expect(toolbar_button(page, "Approve")).to_be_disabled()
    row.get_by_role("checkbox").check()
    toolbar_button(page, "Approve").click()
    dialog = page.get_by_role("dialog", name="Approve connection")
    dialog.get_by_label("Description").fill("welcome")
    dialog.get_by_role("button", name="Yes").click()
    wait_notification(page, "Approved connection")
    expect(row).to_contain_text("Approved")
    expect(row).to_contain_text("welcome")
    shot(page, "private-endpoint-connections")
    endpoint = f"{group_path(PE_RG)}/providers/Microsoft.Network/privateEndpoints/asker"
    names = arm.get(endpoint)["properties"]["customDnsConfigs"]
    assert [c["fqdn"] for c in names] == ["shopdata.blob.core.windows.net"], names

    row.get_by_role("checkbox").check()
    expect(toolbar_button(page, "Approve")).to_be_disabled()
    toolbar_button(page, "Reject").click()
    page.get_by_role("dialog", name="Reject connection").get_by_role("button", name="Yes").click()
    wait_notification(page, "Rejected connection")
    expect(row).to_contain_text("Rejected")
    row.get_by_role("checkbox").check()
    expect(toolbar_button(page, "Approve")).to_be_disabled()
    expect(toolbar_button(page, "Reject")).to_be_disabled()
    assert arm.get(endpoint)["properties"]["customDnsConfigs"] == []

    toolbar_button(page, "Remove").click()
    page.get_by_role("dialog", name="Remove connection").get_by_role("button", name="Yes").click()
    wait_notification(page, "Removed connection")
    expect(row).to_have_count(0)
    page.goto(f"{server.url}/#/resource{endpoint}")
    expect(page.locator("dl.essentials")).to_contain_text("Disconnected")
    assert page.console.unexpected() == []


PLS_RG = "pls-rg"
SERVICE = f"{group_path(PLS_RG)}/providers/Microsoft.Network/privateLinkServices/reports"


def seed_link_service(arm):
    """A private link service behind a Standard internal load balancer, and an endpoint that
    asks to connect by its alias."""
    vnet = net(PLS_RG, "virtualNetworks", "prov")
    arm.put(group_path(PLS_RG), {"location": "eastus"})
    arm.put(vnet, {"location": "eastus", "properties": {
        "addressSpace": {"addressPrefixes": ["10.7.0.0/16"]},
        "subnets": [
            {"name": "lbs", "properties": {"addressPrefix": "10.7.1.0/24"}},
            {"name": "nat", "properties": {"addressPrefix": "10.7.2.0/24", "privateLinkServiceNetworkPolicies": "Disabled"}},
            {"name": "consumers", "properties": {"addressPrefix": "10.7.3.0/24"}},
        ]}})
    lb = net(PLS_RG, "loadBalancers", "ilb")
    arm.put(lb, {"location": "eastus", "sku": {"name": "Standard"}, "properties": {
        "frontendIPConfigurations": [{"name": "fe", "properties": {"subnet": {"id": f"{vnet}/subnets/lbs"}}}]}})
    service = arm.put(SERVICE, {"location": "eastus", "properties": {
        "loadBalancerFrontendIpConfigurations": [{"id": f"{lb}/frontendIPConfigurations/fe"}],
        "ipConfigurations": [{"name": "nat1", "properties": {"subnet": {"id": f"{vnet}/subnets/nat"}}}]}})
    arm.put(net(PLS_RG, "privateEndpoints", "reports-client"), {"location": "eastus", "properties": {
        "subnet": {"id": f"{vnet}/subnets/consumers"},
        "manualPrivateLinkServiceConnections": [{"name": "c", "properties": {
            "privateLinkServiceId": service["properties"]["alias"], "requestMessage": "the reports client"}}]}})
    return service


def test_a_private_link_service_approves_an_endpoint_that_asked(page, server, arm):
    """The Private link services list shows a service's alias and its pending connections;
    on the service's page its owner approves the endpoint that asked by alias."""
    service = seed_link_service(arm)
    sign_in(page, server)
    page.goto(f"{server.url}/#/browse/linkservices")
    row = page.get_by_role("table", name="Private link services").get_by_role("row").filter(has_text="reports")
    expect(row).to_contain_text(service["properties"]["alias"])
    expect(row.get_by_role("cell").last).to_have_text("1")
    row.get_by_role("link", name="reports").click()
    table = page.get_by_role("table", name="Private endpoint connections")
    conn = table.get_by_role("row").filter(has_text="reports-client")
    expect(conn).to_contain_text("Pending")
    expect(conn).to_contain_text("the reports client")
    conn.get_by_role("checkbox").check()
    toolbar_button(page, "Approve").click()
    page.get_by_role("dialog", name="Approve connection").get_by_role("button", name="Yes").click()
    wait_notification(page, "Approved connection")
    expect(conn).to_contain_text("Approved")
    endpoint = arm.get(net(PLS_RG, "privateEndpoints", "reports-client"))
    state = endpoint["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]["privateLinkServiceConnectionState"]
    assert state["status"] == "Approved", state
    assert page.console.unexpected() == []


def visit_all(page, server, arm, seeded):
    pages = ["#/", "#/create/vm", "#/create/deployment"]
    pages += [f"#/browse/{k}" for k in ("vms", "avsets", "nics", "vnets", "pips", "lbs", "dnszones", "endpoints", "linkservices", "groups", "deployments")]
    arm.put(ZONE, {"location": "global"})
    seed_endpoint_targets(arm)
    endpoint = f"{group_path(PE_RG)}/providers/Microsoft.Network/privateEndpoints/visited"
    arm.put(endpoint, {"location": "eastus", "properties": {
        "subnet": {"id": f"{net(PE_RG, 'virtualNetworks', 'vnet1')}/subnets/front"},
        "privateLinkServiceConnections": [{"name": "c", "properties": {"privateLinkServiceId": ACCOUNT, "groupIds": ["file"]}}]}})
    pages += [f"#/resource{endpoint}?tab={t}" for t in ("overview", "dns")]
    pages.append(f"#/resource{ACCOUNT}")
    seed_link_service(arm)
    pages.append(f"#/resource{SERVICE}")
    pages += [f"#/resource{ZONE}?tab={t}" for t in ("overview", "links")]
    pages += [f"#/resource{seeded}?tab={t}" for t in ("overview", "networking", "runcommand", "iam")]
    avset = arm.put(f"{group_path(RG)}/providers/Microsoft.Compute/availabilitySets/visited", {"location": "eastus"})
    pages.append(f"#/resource{avset['id']}")
    nic1 = net(RG, "networkInterfaces", "nic1")
    pages += [f"#/resource{nic1}?tab={t}" for t in ("overview", "ipconfigs", "routes", "iam")]
    vnet = net(RG, "virtualNetworks", "vnet1")
    pages += [f"#/resource{vnet}?tab={t}" for t in ("overview", "addresses", "subnets")]
    for pip in arm.get(f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Network/publicIPAddresses")["value"]:
        pages.append(f"#/resource{pip['id']}")
    lb = net(RG, "loadBalancers", "lb1")
    pages += [f"#/resource{lb}?tab={t}" for t in ("overview", "frontends", "pools", "rules", "probes", "natrules")]
    pages += [f"#/resource{group_path(RG)}?tab={t}" for t in ("overview", "deployments", "iam")]
    for d in arm.get(f"{group_path(RG)}/providers/Microsoft.Resources/deployments")["value"]:
        pages.append(f"#/resource{d['id']}")
    for d in arm.get(f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Resources/deployments")["value"]:
        pages.append(f"#/resource{d['id']}")
    pages.append(f"#/resource{group_path(RG)}/providers/Microsoft.Network/networkSecurityGroups/nsg1")
    for p in pages:
        page.goto(f"{server.url}/{p}")
        page.wait_for_load_state("networkidle")
        expect(page.locator(".loading")).to_have_count(0)
        expect(page.locator(".error")).to_have_count(0)
    return pages


def test_every_page_loads_without_console_errors(page, browser, server, arm, seeded):
    """A "click everything" pass: every list, blade and tab, at 1280x800 and on a narrow
    window, with the VM running (effective routes need it); any console error fails."""
    if arm.power(seeded) != "running":
        arm.post(f"{seeded}/start")
    # A load balancer whose pool holds nic1's primary configuration, and an NSG (a type the
    # portal has no blade for), so those blades have something to show.
    pip = arm.put(net(RG, "publicIPAddresses", "lb-pip"), {"location": "eastus", "properties": {"publicIPAllocationMethod": "Static"}})
    lb_id = net(RG, "loadBalancers", "lb1")
    front = {"id": f"{lb_id}/frontendIPConfigurations/front"}
    arm.put(lb_id, {"location": "eastus", "properties": {
        "frontendIPConfigurations": [{"name": "front", "properties": {"publicIPAddress": {"id": pip["id"]}}}],
        "backendAddressPools": [{"name": "pool1"}],
        "probes": [{"name": "http", "properties": {"protocol": "Http", "port": 80, "requestPath": "/"}}],
        "loadBalancingRules": [{"name": "web", "properties": {
            "frontendIPConfiguration": front, "protocol": "Tcp", "frontendPort": 80, "backendPort": 80,
            "backendAddressPool": {"id": f"{lb_id}/backendAddressPools/pool1"},
            "probe": {"id": f"{lb_id}/probes/http"}}}],
        "inboundNatRules": [{"name": "ssh", "properties": {
            "frontendIPConfiguration": front, "protocol": "Tcp", "frontendPort": 50001, "backendPort": 22}}]}})
    body = arm.get(net(RG, "networkInterfaces", "nic1"))
    body["properties"]["ipConfigurations"][0]["properties"]["loadBalancerBackendAddressPools"] = [
        {"id": f"{lb_id}/backendAddressPools/pool1"}]
    body["properties"]["ipConfigurations"][0]["properties"]["loadBalancerInboundNatRules"] = [
        {"id": f"{lb_id}/inboundNatRules/ssh"}]
    arm.put(net(RG, "networkInterfaces", "nic1"), body)
    arm.put(f"{group_path(RG)}/providers/Microsoft.Network/networkSecurityGroups/nsg1", {"location": "eastus", "properties": {}})

    sign_in(page, server)
    visit_all(page, server, arm, seeded)
    page.goto(f"{server.url}/#/resource{lb_id}?tab=pools")
    expect(page.get_by_role("region", name="Backend pool pool1")).to_contain_text("nic1")
    shot(page, "lb-backend-pools")
    page.goto(f"{server.url}/#/resource{lb_id}?tab=natrules")
    nat = page.get_by_role("table", name="Inbound NAT rules")
    expect(nat).to_contain_text("50001")
    expect(nat).to_contain_text("nic1")
    shot(page, "lb-inbound-nat-rules")
    page.goto(f"{server.url}/#/resource{lb_id}?tab=rules")
    expect(page.get_by_role("table", name="Load balancing rules")).to_contain_text("http")
    # Each probe and pool says which rules use it (Azure's read-only lists).
    page.goto(f"{server.url}/#/resource{lb_id}?tab=probes")
    expect(page.get_by_role("table", name="Health probes").get_by_role("row", name="http")).to_contain_text("web")
    page.goto(f"{server.url}/#/resource{lb_id}?tab=pools")
    expect(page.get_by_role("region", name="Backend pool pool1")).to_contain_text("Used by web")
    page.goto(f"{server.url}/#/resource{net(RG, 'virtualNetworks', 'vnet1')}?tab=subnets")
    expect(page.get_by_role("table", name="Subnets")).to_contain_text("Available addresses")
    shot(page, "vnet-subnets")
    assert page.console.unexpected() == []

    narrow = browser.new_context(ignore_https_errors=True, viewport={"width": 390, "height": 800})
    p = narrow.new_page()
    from conftest import Console
    p.console = Console(p)
    sign_in(p, server)
    p.goto(f"{server.url}/#/resource{seeded}?tab=networking")
    expect(p.get_by_role("region", name="Network interface nic1")).to_be_visible()
    # The menu folds behind a button on a narrow window.
    expect(p.get_by_role("navigation", name="Services")).to_be_hidden()
    p.get_by_role("button", name="Menu").click()
    expect(p.get_by_role("navigation", name="Services")).to_be_visible()
    shot(p, "narrow-vm-networking")
    assert p.console.unexpected() == []
    narrow.close()


def test_users_from_principals_sign_in_with_a_password(browser, tmp_path):
    principals = tmp_path / "principals.json"
    principals.write_text('[{"userName": "ada@contoso.com", "password": "Pa55word!", "displayName": "Ada Lovelace"}]')
    s = Server(["--principals", str(principals)])
    try:
        ctx = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 800})
        page = ctx.new_page()
        page.goto(s.url + "/")
        page.get_by_label("User name").fill("ada@contoso.com")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_have_text("Your account or password is incorrect.")
        page.get_by_label("User name").fill("ada@contoso.com")
        page.get_by_label("Password").fill("Pa55word!")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Welcome to cerulean")).to_be_visible()
        expect(page.locator(".who")).to_have_text("Ada Lovelace")
        # Signing out forgets the token and goes back to the sign-in page.
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_label("User name")).to_be_visible()
        ctx.close()
    finally:
        s.stop()


def test_resource_group_create_and_delete_with_notifications(page, server, arm):
    sign_in(page, server)
    page.get_by_role("navigation", name="Services").get_by_role("link", name="Resource groups").click()
    toolbar_button(page, "+ Create").click()
    pane = page.get_by_role("dialog", name="Create a resource group")
    pane.get_by_label("Resource group").fill("temp-rg")
    pane.get_by_label("Region").select_option("westeurope")
    pane.get_by_role("button", name="Create").click()
    expect(page.get_by_role("table", name="Resource groups")).to_contain_text("temp-rg")
    assert arm.get(group_path("temp-rg"))["location"] == "westeurope"

    page.get_by_role("link", name="temp-rg").click()
    toolbar_button(page, "Delete resource group").click()
    pane = page.get_by_role("dialog", name="Delete temp-rg")
    delete = pane.get_by_role("button", name="Delete")
    expect(delete).to_be_disabled()  # until the name is typed
    pane.get_by_label("Type the resource group name").fill("temp-rg")
    delete.click()
    wait_notification(page, "Deleted resource group 'temp-rg'")
    status, _ = arm.request("GET", group_path("temp-rg"))
    assert status == 404

    # The bell keeps every notification, finished ones included.
    page.get_by_role("button", name="Notifications").click()
    history = page.get_by_role("dialog", name="Notifications")
    expect(history).to_contain_text("Creating resource group 'temp-rg'")
    expect(history).to_contain_text("Deleted resource group 'temp-rg'.")
    assert page.console.unexpected() == []
