"""The Azure SDK for Python against cerulean: the seed documents' scenarios as an SDK user
writes them, and the seed's errors surfacing as HttpResponseError with Azure's codes."""

import time

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azure.mgmt.compute import models as cm
from azure.mgmt.network import models as nm

from conftest import LOCATION, SUBSCRIPTION

NET = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{{g}}/providers/Microsoft.Network"


def subnet_id(g, vnet, subnet):
    return f"{NET.format(g=g)}/virtualNetworks/{vnet}/subnets/{subnet}"


def make_vnet(network, g, name="vnet1"):
    return network.virtual_networks.begin_create_or_update(
        g,
        name,
        nm.VirtualNetwork(
            location=LOCATION,
            address_space=nm.AddressSpace(address_prefixes=["192.168.0.0/16"]),
            subnets=[
                nm.Subnet(name="front", address_prefix="192.168.1.0/24"),
                nm.Subnet(name="back", address_prefix="192.168.2.0/24"),
            ],
        ),
    ).result()


def ip_config(g, name, subnet="front", **kwargs):
    return nm.NetworkInterfaceIPConfiguration(name=name, subnet=nm.Subnet(id=subnet_id(g, "vnet1", subnet)), **kwargs)


def make_nic(network, g, name, subnet="front", **config):
    return network.network_interfaces.begin_create_or_update(
        g,
        name,
        nm.NetworkInterface(location=LOCATION, ip_configurations=[ip_config(g, "ipconfig1", subnet, **config)]),
    ).result()


def vm_body(g, nics, size="Standard_DS3_v2"):
    return cm.VirtualMachine(
        location=LOCATION,
        hardware_profile=cm.HardwareProfile(vm_size=size),
        storage_profile=cm.StorageProfile(
            image_reference=cm.ImageReference(
                publisher="Canonical", offer="0001-com-ubuntu-server-jammy", sku="22_04-lts", version="latest"
            )
        ),
        os_profile=cm.OSProfile(computer_name="vm", admin_username="azureuser", admin_password="S3cret!pass"),
        network_profile=cm.NetworkProfile(
            network_interfaces=[cm.NetworkInterfaceReference(id=n.id, primary=(i == 0)) for i, n in enumerate(nics)]
        ),
    )


def test_resource_groups(resources, group):
    g = resources.resource_groups.get(group)
    assert g.location == LOCATION
    assert resources.resource_groups.check_existence(group)
    assert not resources.resource_groups.check_existence("nope-not-here")
    names = [x.name for x in resources.resource_groups.list()]
    assert group in names
    with pytest.raises(ResourceNotFoundError) as e:
        resources.resource_groups.get("nope-not-here")
    assert e.value.error.code == "ResourceGroupNotFound"


def test_existence_checks_by_id(resources, network, group):
    """`check_existence_by_id` is a HEAD, which ARM answers 204 or 404 for any type: the SDK
    raises on any other status."""
    make_vnet(network, group)
    nic = make_nic(network, group, "here")
    for rid in (nic.id, subnet_id(group, "vnet1", "front")):
        assert resources.resources.check_existence_by_id(rid, api_version="2024-05-01"), rid
    for rid in (f"{NET.format(g=group)}/networkInterfaces/absent", subnet_id(group, "vnet1", "absent")):
        assert not resources.resources.check_existence_by_id(rid, api_version="2024-05-01"), rid


def test_vnet_subnets_and_nic_with_several_ip_configurations(network, group):
    vnet = make_vnet(network, group)
    assert [s.name for s in vnet.subnets] == ["front", "back"]
    network.subnets.begin_create_or_update(group, "vnet1", "extra", nm.Subnet(address_prefix="192.168.3.0/24")).result()
    assert {s.name for s in network.subnets.list(group, "vnet1")} == {"front", "back", "extra"}

    pip = network.public_ip_addresses.begin_create_or_update(
        group,
        "pip1",
        nm.PublicIPAddress(
            location=LOCATION, sku=nm.PublicIPAddressSku(name="Standard"), public_ip_allocation_method="Static"
        ),
    ).result()
    assert pip.ip_address

    nic = network.network_interfaces.begin_create_or_update(
        group,
        "nic1",
        nm.NetworkInterface(
            location=LOCATION,
            ip_configurations=[
                ip_config(group, "c1", primary=True, public_ip_address=nm.PublicIPAddress(id=pip.id)),
                ip_config(group, "c2", private_ip_allocation_method="Static", private_ip_address="192.168.1.10"),
                ip_config(group, "c3"),
            ],
        ),
    ).result()
    addresses = {c.name: c.private_ip_address for c in nic.ip_configurations}
    assert addresses == {"c1": "192.168.1.4", "c2": "192.168.1.10", "c3": "192.168.1.5"}
    assert [c.primary for c in nic.ip_configurations] == [True, False, False]
    assert network.public_ip_addresses.get(group, "pip1").ip_configuration.id.endswith("/ipConfigurations/c1")
    assert network.network_interface_ip_configurations.get(group, "nic1", "c2").private_ip_address == "192.168.1.10"
    assert len(list(network.network_interface_ip_configurations.list(group, "nic1"))) == 3


def test_load_balancer_pool_with_a_secondary_ip_configuration(network, group):
    make_vnet(network, group)
    network.load_balancers.begin_create_or_update(
        group,
        "lb1",
        nm.LoadBalancer(
            location=LOCATION,
            frontend_ip_configurations=[
                nm.FrontendIPConfiguration(name="fe", subnet=nm.Subnet(id=subnet_id(group, "vnet1", "back")))
            ],
            backend_address_pools=[nm.BackendAddressPool(name="pool")],
        ),
    ).result()
    pool_id = network.load_balancer_backend_address_pools.get(group, "lb1", "pool").id
    nic = network.network_interfaces.begin_create_or_update(
        group,
        "nic1",
        nm.NetworkInterface(
            location=LOCATION,
            ip_configurations=[
                ip_config(group, "c1", primary=True),
                ip_config(group, "c2", load_balancer_backend_address_pools=[nm.BackendAddressPool(id=pool_id)]),
            ],
        ),
    ).result()
    pool = network.load_balancer_backend_address_pools.get(group, "lb1", "pool")
    assert [c.id for c in pool.backend_ip_configurations] == [nic.ip_configurations[1].id]
    with pytest.raises(HttpResponseError) as e:
        network.load_balancers.begin_delete(group, "lb1").result()
    assert e.value.error.code == "LoadBalancerBackendAddressPoolInUse"


def test_inbound_nat_rule_forwards_to_one_ip_configuration(network, group):
    make_vnet(network, group)
    lb = network.load_balancers.begin_create_or_update(
        group,
        "natlb",
        nm.LoadBalancer(
            location=LOCATION,
            frontend_ip_configurations=[
                nm.FrontendIPConfiguration(name="fe", subnet=nm.Subnet(id=subnet_id(group, "vnet1", "back")))
            ],
            inbound_nat_rules=[
                nm.InboundNatRule(name="ssh", protocol="Tcp", frontend_port=50000, backend_port=22)
            ],
        ),
    ).result()
    rule_id = f"{lb.id}/inboundNatRules/ssh"
    nic = make_nic(network, group, "natnic", load_balancer_inbound_nat_rules=[nm.InboundNatRule(id=rule_id)])
    assert [r.id for r in nic.ip_configurations[0].load_balancer_inbound_nat_rules] == [rule_id]
    lb = network.load_balancers.get(group, "natlb")
    assert lb.inbound_nat_rules[0].backend_ip_configuration.id == nic.ip_configurations[0].id
    # The rule as a child resource of its own (InboundNatRules_Get/List/CreateOrUpdate).
    rule = network.inbound_nat_rules.get(group, "natlb", "ssh")
    assert (rule.id, rule.backend_port) == (rule_id, 22)
    assert rule.backend_ip_configuration.id == nic.ip_configurations[0].id
    rdp = network.inbound_nat_rules.begin_create_or_update(
        group, "natlb", "rdp", nm.InboundNatRule(protocol="Tcp", frontend_port=53389, backend_port=3389)
    ).result()
    assert rdp.frontend_port == 53389
    assert [r.name for r in network.inbound_nat_rules.list(group, "natlb")] == ["ssh", "rdp"]
    assert [f.name for f in network.load_balancer_frontend_ip_configurations.list(group, "natlb")] == ["fe"]
    assert [n.name for n in network.load_balancer_network_interfaces.list(group, "natlb")] == ["natnic"]
    network.inbound_nat_rules.begin_delete(group, "natlb", "rdp").result()
    assert [r.name for r in network.inbound_nat_rules.list(group, "natlb")] == ["ssh"]
    with pytest.raises(HttpResponseError) as e:
        make_nic(network, group, "natnic2", load_balancer_inbound_nat_rules=[nm.InboundNatRule(id=rule_id)])
    assert e.value.error.code == "InboundNatRuleInUse"


def test_load_balancing_rules_and_probes(network, group):
    """A rule names a frontend, pool and probe of its load balancer; each of them lists the
    rules that use it; two rules may not send one backend port to one pool."""
    make_vnet(network, group)
    lb_id = f"{NET.format(g=group)}/loadBalancers/rulelb"

    def child(kind, name):
        return nm.SubResource(id=f"{lb_id}/{kind}/{name}")

    def rule(name, frontend_port, backend_port, probe="http"):
        return nm.LoadBalancingRule(
            name=name, protocol="Tcp", frontend_port=frontend_port, backend_port=backend_port,
            frontend_ip_configuration=child("frontendIPConfigurations", "fe"),
            backend_address_pool=child("backendAddressPools", "pool"),
            probe=child("probes", probe))

    def body(rules):
        return nm.LoadBalancer(
            location=LOCATION,
            frontend_ip_configurations=[
                nm.FrontendIPConfiguration(name="fe", subnet=nm.Subnet(id=subnet_id(group, "vnet1", "back")))],
            backend_address_pools=[nm.BackendAddressPool(name="pool")],
            probes=[nm.Probe(name="http", protocol="Http", port=80, request_path="/")],
            load_balancing_rules=rules)

    with pytest.raises(HttpResponseError) as e:
        network.load_balancers.begin_create_or_update(group, "rulelb", body([rule("web", 80, 80, "nope")])).result()
    assert e.value.error.code == "InvalidResourceReference"
    with pytest.raises(HttpResponseError) as e:
        network.load_balancers.begin_create_or_update(
            group, "rulelb", body([rule("web", 80, 80), rule("alt", 8080, 80)])).result()
    assert e.value.error.code == "RulesUseSameBackendPortProtocolAndPool"
    lb = network.load_balancers.begin_create_or_update(
        group, "rulelb", body([rule("web", 80, 80), rule("tls", 443, 443)])).result()
    rules = [f"{lb_id}/loadBalancingRules/web", f"{lb_id}/loadBalancingRules/tls"]
    assert [r.id for r in lb.frontend_ip_configurations[0].load_balancing_rules] == rules
    probe = network.load_balancer_probes.get(group, "rulelb", "http")
    assert [r.id for r in probe.load_balancing_rules] == rules
    pool = network.load_balancer_backend_address_pools.get(group, "rulelb", "pool")
    assert [r.id for r in pool.load_balancing_rules] == rules
    assert [r.name for r in network.load_balancer_load_balancing_rules.list(group, "rulelb")] == ["web", "tls"]


def test_a_basic_load_balancer_serves_one_availability_set(network, compute, group):
    """A Basic load balancer's VMs are of one availability set (a VM in none is a set of its
    own); a set's public IPs and load balancers are of one SKU."""
    make_vnet(network, group)
    lb = network.load_balancers.begin_create_or_update(
        group, "basiclb", nm.LoadBalancer(
            location=LOCATION, sku=nm.LoadBalancerSku(name="Basic"),
            frontend_ip_configurations=[
                nm.FrontendIPConfiguration(name="fe", subnet=nm.Subnet(id=subnet_id(group, "vnet1", "back")))],
            backend_address_pools=[nm.BackendAddressPool(name="pool")])).result()
    pool = nm.BackendAddressPool(id=lb.backend_address_pools[0].id)
    sets = [compute.availability_sets.create_or_update(
        group, name, cm.AvailabilitySet(location=LOCATION, platform_fault_domain_count=2)) for name in ("as1", "as2")]

    def vm(name, avset, nic):
        body = vm_body(group, [nic])
        body.availability_set = cm.SubResource(id=avset.id) if avset else None
        return compute.virtual_machines.begin_create_or_update(group, name, body).result()

    vm("vm1", sets[0], make_nic(network, group, "n1", load_balancer_backend_address_pools=[pool]))
    second = make_nic(network, group, "n2", load_balancer_backend_address_pools=[pool])
    for avset in (sets[1], None):
        with pytest.raises(HttpResponseError) as e:
            vm("vm2", avset, second)
        assert e.value.error.code == "VmIsNotInSameAvailabilitySetAsLb"
        assert e.value.error.message.endswith("connected to the Load Balancer(s) basiclb.")
    assert vm("vm2", sets[0], second).availability_set.id.lower() == sets[0].id.lower()

    # One SKU per set: a Standard public IP beside the Basic load balancer.
    ip = network.public_ip_addresses.begin_create_or_update(
        group, "stdip", nm.PublicIPAddress(
            location=LOCATION, sku=nm.PublicIPAddressSku(name="Standard"), public_ip_allocation_method="Static")).result()
    with pytest.raises(HttpResponseError) as e:
        vm("vm3", sets[0], make_nic(network, group, "n3", public_ip_address=nm.PublicIPAddress(id=ip.id)))
    assert e.value.error.code == "DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed"
    assert e.value.error.message.endswith(f"is not allowed {lb.id} and {ip.id}.")


def test_managed_disk_create(compute, group):
    # Disks_CreateOrUpdate answers 200 or 202; the SDK refuses anything else.
    disk = compute.disks.begin_create_or_update(
        group,
        "data1",
        cm.Disk(location=LOCATION, creation_data=cm.CreationData(create_option="Empty"), disk_size_gb=4),
    ).result()
    assert (disk.disk_size_gb, disk.disk_state) == (4, "Unattached")
    disk = compute.disks.begin_create_or_update(
        group,
        "data1",
        cm.Disk(location=LOCATION, creation_data=cm.CreationData(create_option="Empty"), disk_size_gb=8),
    ).result()
    assert disk.disk_size_gb == 8


def test_network_errors_surface_with_azure_codes(network, group):
    make_vnet(network, group)
    make_nic(network, group, "nic1", private_ip_allocation_method="Static", private_ip_address="192.168.1.10")
    cases = [
        ({"private_ip_allocation_method": "Static", "private_ip_address": "192.168.1.10"}, "PrivateIPAddressInUse"),
        ({"private_ip_allocation_method": "Static", "private_ip_address": "192.168.1.1"}, "PrivateIPAddressInReservedRange"),
        ({"private_ip_allocation_method": "Static", "private_ip_address": "10.9.9.9"}, "PrivateIPAddressNotInSubnet"),
    ]
    for config, code in cases:
        with pytest.raises(HttpResponseError) as e:
            make_nic(network, group, "nic2", **config)
        assert e.value.error.code == code
    with pytest.raises(HttpResponseError) as e:
        network.public_ip_addresses.begin_create_or_update(
            group,
            "p",
            nm.PublicIPAddress(
                location=LOCATION, sku=nm.PublicIPAddressSku(name="Standard"), public_ip_allocation_method="Dynamic"
            ),
        ).result()
    assert e.value.error.code == "StandardSkuPublicIPAddressesMustBeStatic"
    with pytest.raises(HttpResponseError) as e:
        network.subnets.begin_delete(group, "vnet1", "front").result()
    assert e.value.error.code == "InUseSubnetCannotBeDeleted"


def test_vm_with_two_nics_deallocate_add_remove_start(network, compute, group):
    make_vnet(network, group)
    nic1 = make_nic(network, group, "nic1", subnet="front")
    nic2 = make_nic(network, group, "nic2", subnet="back")
    nic3 = make_nic(network, group, "nic3", subnet="back")

    started = time.time()
    vm = compute.virtual_machines.begin_create_or_update(group, "vm1", vm_body(group, [nic1, nic2])).result()
    assert time.time() - started < 10, "an LRO must not wait 30 s between polls"
    assert [n.primary for n in vm.network_profile.network_interfaces] == [True, False]
    assert vm.os_profile.admin_password is None

    view = compute.virtual_machines.instance_view(group, "vm1")
    assert "PowerState/running" in [s.code for s in view.statuses]

    # The seed: NICs are added only while the VM is deallocated.
    body = vm_body(group, [nic1, nic2, nic3])
    with pytest.raises(HttpResponseError) as e:
        compute.virtual_machines.begin_create_or_update(group, "vm1", body).result()
    assert e.value.error.code == "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported"

    compute.virtual_machines.begin_deallocate(group, "vm1").result()
    view = compute.virtual_machines.instance_view(group, "vm1")
    assert "PowerState/deallocated" in [s.code for s in view.statuses]

    # az vm nic add: GET the VM, append the NIC, PUT the whole VM.
    vm = compute.virtual_machines.get(group, "vm1")
    vm.network_profile.network_interfaces.append(cm.NetworkInterfaceReference(id=nic3.id, primary=False))
    vm = compute.virtual_machines.begin_create_or_update(group, "vm1", vm).result()
    assert len(vm.network_profile.network_interfaces) == 3

    # Remove the primary without flagging another: the longest attached (nic2) takes over.
    vm.network_profile.network_interfaces = [
        n for n in vm.network_profile.network_interfaces if not n.id.endswith("/nic1")
    ]
    for n in vm.network_profile.network_interfaces:
        n.primary = None
    vm = compute.virtual_machines.begin_create_or_update(group, "vm1", vm).result()
    primary = [n.id for n in vm.network_profile.network_interfaces if n.primary]
    assert len(primary) == 1 and primary[0].endswith("/nic2")
    assert network.network_interfaces.get(group, "nic2").primary is True

    compute.virtual_machines.begin_start(group, "vm1").result()
    vm = compute.virtual_machines.get(group, "vm1", expand="instanceView")
    assert "PowerState/running" in [s.code for s in vm.instance_view.statuses]
    assert network.network_interfaces.get(group, "nic2").mac_address.startswith("00-0D-3A-")

    # Too many NICs for the size, and the last NIC, each refused with Azure's code.
    compute.virtual_machines.begin_deallocate(group, "vm1").result()
    small = compute.virtual_machines.get(group, "vm1")
    small.hardware_profile.vm_size = "Standard_B1s"
    small.network_profile.network_interfaces.append(cm.NetworkInterfaceReference(id=nic1.id, primary=False))
    with pytest.raises(HttpResponseError) as e:
        compute.virtual_machines.begin_create_or_update(group, "vm1", small).result()
    assert e.value.error.code == "NetworkInterfaceCountExceeded"

    # Deleting the VM keeps its NICs, which another VM may then use.
    compute.virtual_machines.begin_delete(group, "vm1").result()
    assert network.network_interfaces.get(group, "nic2").virtual_machine is None
    vm2 = compute.virtual_machines.begin_create_or_update(group, "vm2", vm_body(group, [nic2, nic3])).result()
    assert len(vm2.network_profile.network_interfaces) == 2
    with pytest.raises(HttpResponseError) as e:
        compute.virtual_machines.begin_create_or_update(group, "vm3", vm_body(group, [nic2])).result()
    assert e.value.error.code == "NicInUse"


def test_sizes_and_skus(compute):
    sizes = {s.name: s for s in compute.virtual_machine_sizes.list(LOCATION)}
    assert sizes["Standard_DS3_v2"].number_of_cores == 4
    skus = [s for s in compute.resource_skus.list(filter=f"location eq '{LOCATION}'") if s.name == "Standard_DS3_v2"]
    caps = {c.name: c.value for c in skus[0].capabilities}
    assert caps["MaxNetworkInterfaces"] == "4"


def _template(name):
    import json
    import os

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "examples", "templates", name)) as f:
        return json.load(f)


def test_template_deployments(deployments, compute, group):
    from azure.mgmt.resource.deployments.models import Deployment, DeploymentProperties

    started = time.time()
    d = deployments.deployments.begin_create_or_update(
        group,
        "twonics",
        Deployment(
            properties=DeploymentProperties(
                mode="Incremental",
                template=_template("vm-two-nics.json"),
                parameters={"adminPassword": {"value": "S3cret!pass"}},
            )
        ),
    ).result()
    assert time.time() - started < 10, "deployment polls must not wait 30 s"
    assert d.properties.provisioning_state == "Succeeded"
    assert d.properties.outputs["primaryPrivateIp"]["value"] == "10.0.1.4"
    assert d.properties.parameters["adminPassword"] == {"type": "SecureString"}
    vm = compute.virtual_machines.get(group, "vm1")
    refs = vm.network_profile.network_interfaces
    assert [(r.id.rsplit("/", 1)[1], r.primary) for r in refs] == [("vm1-nic1", True), ("vm1-nic2", False)]
    ops = list(deployments.deployment_operations.list(group, "twonics"))
    assert [o.properties.target_resource.resource_name for o in ops] == ["vm1-vnet", "vm1-nic1", "vm1-nic2", "vm1"]

    # A failing template: the deployment fails with the VM's own error inside.
    with pytest.raises(HttpResponseError) as e:
        deployments.deployments.begin_create_or_update(
            group,
            "small",
            Deployment(
                properties=DeploymentProperties(
                    mode="Incremental",
                    template=_template("too-many-nics.json"),
                    parameters={"adminPassword": {"value": "S3cret!pass"}},
                )
            ),
        ).result()
    assert e.value.error.code == "DeploymentFailed"
    assert e.value.error.details[0].code == "NetworkInterfaceCountExceeded"
    assert deployments.deployments.get(group, "small").properties.provisioning_state == "Failed"

    # A bad template is refused at once.
    with pytest.raises(HttpResponseError) as e:
        deployments.deployments.begin_validate(
            group,
            "bad",
            Deployment(properties=DeploymentProperties(mode="Incremental", template=_template("vm-two-nics.json"))),
        ).result()
    assert e.value.error.code == "InvalidTemplate"
    names = sorted(x.name for x in deployments.deployments.list_by_resource_group(group))
    assert names == ["small", "twonics"]


def test_subscription_deployment(deployments, resources):
    """A subscription deployment through the SDK's *_at_subscription_scope calls: it creates a
    group and deploys a module into it."""
    from azure.mgmt.resource.deployments.models import Deployment, DeploymentProperties

    d = deployments.deployments.begin_create_or_update_at_subscription_scope(
        "py-landing-zone",
        Deployment(
            location="eastus",
            properties=DeploymentProperties(
                mode="Incremental",
                template=_template("landing-zone.json"),
                parameters={"rgName": {"value": "py-lz"}},
            ),
        ),
    ).result()
    assert d.properties.provisioning_state == "Succeeded"
    assert d.location == "eastus"
    assert d.properties.outputs["nicIp"]["value"] == "10.20.1.4"
    assert resources.resource_groups.get("py-lz").location == "eastus"
    names = [x.name for x in deployments.deployments.list_at_subscription_scope()]
    assert "py-landing-zone" in names
    ops = list(deployments.deployment_operations.list_at_subscription_scope("py-landing-zone"))
    assert len(ops) == 2
    deployments.deployments.begin_delete_at_subscription_scope("py-landing-zone").result()
    resources.resource_groups.begin_delete("py-lz").result()


def test_template_with_modules(deployments, compute, group):
    """Nested deployments (Bicep modules): the SDK polls the parent; each module is a
    deployment of the group with its own outputs and operations."""
    from azure.mgmt.resource.deployments.models import Deployment, DeploymentProperties

    d = deployments.deployments.begin_create_or_update(
        group,
        "main",
        Deployment(
            properties=DeploymentProperties(
                mode="Incremental",
                template=_template("vm-modules.json"),
                parameters={"adminPassword": {"value": "S3cret!pass"}},
            )
        ),
    ).result()
    assert d.properties.provisioning_state == "Succeeded"
    assert d.properties.outputs["primaryPrivateIp"]["value"] == "10.0.1.4"
    created = sorted(r.id.rsplit("/", 2)[-2] for r in d.properties.output_resources)
    assert created == ["networkInterfaces", "networkInterfaces", "virtualMachines", "virtualNetworks"], created
    names = sorted(x.name for x in deployments.deployments.list_by_resource_group(group))
    assert names == ["main", "network", "nic-1", "nic-2"]
    module = deployments.deployments.get(group, "network")
    assert module.properties.outputs["subnetIds"]["value"][0].endswith("/subnets/Front")
    ops = list(deployments.deployment_operations.list(group, "nic-2"))
    assert [o.properties.target_resource.resource_name for o in ops] == ["vm1-nic2"]
    vm = compute.virtual_machines.get(group, "vm1")
    assert [r.primary for r in vm.network_profile.network_interfaces] == [True, False]
