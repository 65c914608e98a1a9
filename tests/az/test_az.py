"""The az CLI against cerulean, run inside a loopback-only network namespace (see
scripts/az-suite): the seed documents' commands and their failures with az's printed codes."""

import json
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

import pytest

SUB = "00000000-0000-0000-0000-000000000001"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _binary():
    return os.environ.get("CERULEAN_BIN") or os.path.join(ROOT, "target", "debug", "cerulean")


def _serve(*args):
    """Starts cerulean on a free port; returns the process, its URL and its data directory."""
    data = tempfile.mkdtemp(prefix="cerulean-az-")
    proc = subprocess.Popen(
        [_binary(), "serve", "--port", "0", "--location", data, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "CERULEAN_LOG": "warn"},
    )
    url = None
    for line in proc.stdout:
        m = re.match(r"cerulean listening on (https://\S+)", line)
        if m:
            url = m.group(1)
            break
    assert url, "cerulean did not start"
    return proc, url, data


def _profile(url, data, name, *login):
    """An isolated az configuration directory logged in to cerulean (`cerulean az-profile`)."""
    config = os.path.join(data, name)
    out = subprocess.run(
        [_binary(), "az-profile", config, "--url", url, "--location", data, *login],
        capture_output=True, text=True, check=True,
    ).stdout
    e = dict(os.environ)
    for m in re.finditer(r"^export (\w+)=(.*)$", out, re.M):
        e[m.group(1)] = m.group(2).strip().strip("'\"")
    e["AZURE_CORE_COLLECT_TELEMETRY"] = "false"
    e["AZURE_CORE_LOGIN_EXPERIENCE_V2"] = "off"
    e["AZURE_CORE_NO_COLOR"] = "true"
    e["HOME"] = data  # nothing may touch the user's own ~/.azure
    e["CERULEAN_URL"] = url
    return e


def _stop(proc, data):
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(data, ignore_errors=True)


def _serve_rbac(principals, *logins):
    """cerulean with `--principals` and `--rbac`, and an az profile per client id in
    `logins` (each with the secret `s`)."""
    folder = tempfile.mkdtemp(prefix="cerulean-az-principals-")
    path = os.path.join(folder, "principals.json")
    with open(path, "w") as f:
        json.dump(principals, f)
    proc, url, data = _serve("--principals", path, "--rbac")
    profiles = [_profile(url, data, client, "--client-id", client, "--client-secret", "s") for client in logins]
    return proc, url, data, profiles


@pytest.fixture(scope="session")
def env():
    proc, url, data = _serve()
    yield _profile(url, data, "az")
    _stop(proc, data)


def _az_bin():
    return os.path.join(os.environ["AZ_VENV"], "bin", "az") if os.environ.get("AZ_VENV") else "az"


def az(env, *args, ok=True):
    started = time.time()
    r = subprocess.run([_az_bin(), *args, "--output", "json"], capture_output=True, text=True, env=env, timeout=300)
    took = time.time() - started
    if ok:
        assert r.returncode == 0, f"az {' '.join(args)} failed ({took:.1f}s):\n{r.stderr}"
        return json.loads(r.stdout) if r.stdout.strip() else None
    assert r.returncode != 0, f"az {' '.join(args)} should have failed:\n{r.stdout}"
    return r.stderr


def test_seed_commands(env):
    az(env, "group", "create", "-n", "rg", "-l", "eastus")
    az(env, "network", "vnet", "create", "-g", "rg", "-n", "vnet1", "--address-prefixes", "192.168.0.0/16",
       "--subnet-name", "front", "--subnet-prefixes", "192.168.1.0/24")
    az(env, "network", "vnet", "subnet", "create", "-g", "rg", "--vnet-name", "vnet1", "-n", "back",
       "--address-prefixes", "192.168.2.0/24")
    nic1 = az(env, "network", "nic", "create", "-g", "rg", "-n", "nic1", "--vnet-name", "vnet1", "--subnet", "front")
    assert nic1["NewNIC"]["ipConfigurations"][0]["privateIPAddress"] == "192.168.1.4"
    az(env, "network", "nic", "create", "-g", "rg", "-n", "nic2", "--vnet-name", "vnet1", "--subnet", "back")
    az(env, "network", "nic", "create", "-g", "rg", "-n", "nic3", "--vnet-name", "vnet1", "--subnet", "back")

    az(env, "network", "public-ip", "create", "-g", "rg", "-n", "pip1", "--sku", "Standard")
    cfg = az(env, "network", "nic", "ip-config", "create", "-g", "rg", "--nic-name", "nic1", "-n", "cfg2",
             "--private-ip-address", "192.168.1.10", "--public-ip-address", "pip1")
    assert cfg["privateIPAddress"] == "192.168.1.10"
    # Which addresses are free, before choosing a static one.
    taken = az(env, "network", "vnet", "check-ip-address", "-g", "rg", "-n", "vnet1", "--ip-address", "192.168.1.10")
    assert taken == {"available": False, "availableIPAddresses": [f"192.168.1.{i}" for i in range(11, 16)]}
    assert az(env, "network", "vnet", "check-ip-address", "-g", "rg", "-n", "vnet1",
              "--ip-address", "192.168.1.11") == {"available": True}
    assert az(env, "network", "vnet", "list-available-ips", "-g", "rg", "-n", "vnet1") == [
        f"192.168.1.{i}" for i in range(5, 10)]
    assert az(env, "network", "vnet", "subnet", "list-available-ips", "-g", "rg", "--vnet-name", "vnet1",
              "-n", "back") == [f"192.168.2.{i}" for i in range(6, 11)]
    az(env, "network", "nic", "ip-config", "update", "-g", "rg", "--nic-name", "nic1", "-n", "cfg2",
       "--private-ip-address", "192.168.1.11")
    # `az network lb create` submits a template deployment.
    az(env, "network", "lb", "create", "-g", "rg", "-n", "lb1", "--sku", "Basic", "--vnet-name", "vnet1",
       "--subnet", "back", "--frontend-ip-name", "fe", "--backend-pool-name", "pool1")
    lbs = az(env, "network", "lb", "list", "-g", "rg")
    assert [lb["name"] for lb in lbs] == ["lb1"]
    az(env, "network", "nic", "ip-config", "address-pool", "add", "-g", "rg", "--nic-name", "nic1",
       "--ip-config-name", "cfg2", "--lb-name", "lb1", "--address-pool", "pool1")
    pool = az(env, "network", "lb", "address-pool", "show", "-g", "rg", "--lb-name", "lb1", "-n", "pool1")
    assert pool["backendIPConfigurations"][0]["id"].endswith("/ipConfigurations/cfg2")
    az(env, "network", "nic", "ip-config", "address-pool", "remove", "-g", "rg", "--nic-name", "nic1",
       "--ip-config-name", "cfg2", "--lb-name", "lb1", "--address-pool", "pool1")
    # An inbound NAT rule forwards to one IP configuration, which names it.
    az(env, "network", "lb", "inbound-nat-rule", "create", "-g", "rg", "--lb-name", "lb1", "-n", "ssh",
       "--protocol", "Tcp", "--frontend-port", "50000", "--backend-port", "22", "--frontend-ip", "fe")
    az(env, "network", "nic", "ip-config", "inbound-nat-rule", "add", "-g", "rg", "--nic-name", "nic1",
       "--ip-config-name", "cfg2", "--lb-name", "lb1", "--inbound-nat-rule", "ssh")
    rule = az(env, "network", "lb", "inbound-nat-rule", "show", "-g", "rg", "--lb-name", "lb1", "-n", "ssh")
    assert rule["backendIPConfiguration"]["id"].endswith("/networkInterfaces/nic1/ipConfigurations/cfg2")
    err = az(env, "network", "nic", "ip-config", "inbound-nat-rule", "add", "-g", "rg", "--nic-name", "nic2",
             "--ip-config-name", "ipconfig1", "--lb-name", "lb1", "--inbound-nat-rule", "ssh", ok=False)
    assert "InboundNatRuleInUse" in err
    err = az(env, "network", "lb", "inbound-nat-rule", "delete", "-g", "rg", "--lb-name", "lb1", "-n", "ssh",
             ok=False)
    assert "InboundNatRuleInUse" in err
    az(env, "network", "nic", "ip-config", "inbound-nat-rule", "remove", "-g", "rg", "--nic-name", "nic1",
       "--ip-config-name", "cfg2", "--lb-name", "lb1", "--inbound-nat-rule", "ssh")
    rule = az(env, "network", "lb", "inbound-nat-rule", "show", "-g", "rg", "--lb-name", "lb1", "-n", "ssh")
    assert "backendIPConfiguration" not in rule
    az(env, "network", "lb", "inbound-nat-rule", "delete", "-g", "rg", "--lb-name", "lb1", "-n", "ssh")
    # Probes and load-balancing rules: what they name must exist, two rules may not send one
    # backend port to one pool, and a probe lists the rules that use it.
    lb = ["-g", "rg", "--lb-name", "lb1"]
    az(env, "network", "lb", "probe", "create", *lb, "-n", "tcp80", "--protocol", "Tcp", "--port", "80")
    rule = ["network", "lb", "rule", "create", *lb, "--protocol", "Tcp", "--backend-port", "80",
            "--frontend-ip", "fe", "--backend-pool-name", "pool1", "--probe", "tcp80"]
    az(env, *rule, "-n", "http", "--frontend-port", "80")
    probe = az(env, "network", "lb", "probe", "show", *lb, "-n", "tcp80")
    assert [r["id"].rsplit("/", 1)[1] for r in probe["loadBalancingRules"]] == ["http"], probe
    err = az(env, *rule, "-n", "alt", "--frontend-port", "8080", ok=False)
    assert "RulesUseSameBackendPortProtocolAndPool" in err, err
    err = az(env, "network", "lb", "probe", "delete", *lb, "-n", "tcp80", ok=False)
    assert "InvalidResourceReference" in err, err
    az(env, "network", "lb", "rule", "delete", *lb, "-n", "http")
    az(env, "network", "lb", "probe", "delete", *lb, "-n", "tcp80")
    az(env, "network", "nic", "ip-config", "delete", "-g", "rg", "--nic-name", "nic1", "-n", "cfg2")

    # "Add existing NICs to a new VM": az builds a template deployment with both NICs.
    vm = az(env, "vm", "create", "-g", "rg", "-n", "vm1", "--image", "Ubuntu2204", "--nics", "nic1", "nic2",
            "--size", "Standard_DS3_v2", "--admin-username", "azureuser", "--admin-password", "S3cret!pass-1234")
    assert vm["powerState"] == "VM running"
    assert vm["privateIpAddress"].split(",")[0] == "192.168.1.4"
    nics = az(env, "vm", "nic", "list", "-g", "rg", "--vm-name", "vm1")
    assert [(n["id"].rsplit("/", 1)[1], n["primary"]) for n in nics] == [("nic1", True), ("nic2", False)]
    # A NIC attached to one VM cannot be attached to another.
    err = az(env, "vm", "create", "-g", "rg", "-n", "vm9", "--image", "Ubuntu2204", "--nics", "nic2",
             "--size", "Standard_DS3_v2", "--admin-username", "azureuser", "--admin-password", "S3cret!pass-1234",
             ok=False)
    assert "NicInUse" in err

    # The seed's failures, with az's printed error code.
    err = az(env, "vm", "nic", "add", "-g", "rg", "--vm-name", "vm1", "--nics", "nic3", ok=False)
    assert "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported" in err

    az(env, "vm", "deallocate", "-g", "rg", "-n", "vm1")
    az(env, "vm", "nic", "add", "-g", "rg", "--vm-name", "vm1", "--nics", "nic3")
    nics = az(env, "vm", "nic", "list", "-g", "rg", "--vm-name", "vm1")
    assert len(nics) == 3
    shown = az(env, "vm", "nic", "show", "-g", "rg", "--vm-name", "vm1", "--nic", "nic3")
    assert shown["name"] == "nic3"

    # Remove the primary: the longest attached remaining NIC (nic2) becomes primary.
    az(env, "vm", "nic", "remove", "-g", "rg", "--vm-name", "vm1", "--nics", "nic1")
    assert az(env, "network", "nic", "show", "-g", "rg", "-n", "nic2")["primary"] is True
    az(env, "vm", "nic", "set", "-g", "rg", "--vm-name", "vm1", "--nics", "nic2", "nic3", "--primary-nic", "nic3")
    assert az(env, "network", "nic", "show", "-g", "rg", "-n", "nic3")["primary"] is True

    err = az(env, "vm", "nic", "remove", "-g", "rg", "--vm-name", "vm1", "--nics", "nic2", "nic3", ok=False)
    assert "VirtualMachineMustHaveAtLeastOneNetworkInterface" in err or "at least one" in err

    az(env, "vm", "resize", "-g", "rg", "-n", "vm1", "--size", "Standard_DS3_v2")
    az(env, "vm", "nic", "add", "-g", "rg", "--vm-name", "vm1", "--nics", "nic1")
    err = az(env, "vm", "resize", "-g", "rg", "-n", "vm1", "--size", "Standard_B1s", ok=False)
    assert "NetworkInterfaceCountExceeded" in err

    az(env, "vm", "start", "-g", "rg", "-n", "vm1")
    details = az(env, "vm", "show", "-d", "-g", "rg", "-n", "vm1")
    assert details["powerState"] == "VM running"
    assert "192.168.2." in details["privateIps"]
    view = az(env, "vm", "get-instance-view", "-g", "rg", "-n", "vm1")
    codes = [s["code"] for s in view["instanceView"]["statuses"]]
    assert "PowerState/running" in codes
    nic = az(env, "network", "nic", "show", "-g", "rg", "-n", "nic3")
    assert nic["macAddress"].startswith("00-0D-3A-")
    assert nic["virtualMachine"]["id"].endswith("/virtualMachines/vm1")


def test_web_tier_behind_a_load_balancer(env):
    """A web tier as az users build one: an availability set, a public Standard load balancer
    with a probe, a rule and an SSH NAT rule per VM, NICs that join its pool and take a NAT
    rule and an application security group, VMs with a data disk and an extension; a Basic
    public IP is refused beside the set's Standard load balancer."""
    g = ["-g", "web"]
    az(env, "group", "create", "-n", "web", "-l", "eastus")
    az(env, "network", "vnet", "create", *g, "-n", "vnet", "--address-prefixes", "10.5.0.0/16",
       "--subnet-name", "front", "--subnet-prefixes", "10.5.1.0/24")
    az(env, "network", "nsg", "create", *g, "-n", "web-nsg")
    assert "web-nsg" in [n["name"] for n in az(env, "network", "nsg", "list")]
    az(env, "network", "nsg", "rule", "create", *g, "--nsg-name", "web-nsg", "-n", "http", "--priority", "100",
       "--destination-port-ranges", "80", "--access", "Allow", "--protocol", "Tcp")
    az(env, "network", "vnet", "subnet", "update", *g, "--vnet-name", "vnet", "-n", "front",
       "--network-security-group", "web-nsg")
    az(env, "network", "asg", "create", *g, "-n", "web-servers")
    az(env, "network", "public-ip", "create", *g, "-n", "lb-ip", "--sku", "Standard")
    az(env, "network", "lb", "create", *g, "-n", "lb", "--sku", "Standard", "--public-ip-address", "lb-ip",
       "--frontend-ip-name", "fe", "--backend-pool-name", "pool")
    az(env, "network", "lb", "probe", "create", *g, "--lb-name", "lb", "-n", "http", "--protocol", "Http",
       "--port", "80", "--path", "/")
    az(env, "network", "lb", "rule", "create", *g, "--lb-name", "lb", "-n", "http", "--protocol", "Tcp",
       "--frontend-port", "80", "--backend-port", "80", "--frontend-ip", "fe", "--backend-pool-name", "pool",
       "--probe-name", "http", "--disable-outbound-snat", "true")
    az(env, "vm", "availability-set", "create", *g, "-n", "avset", "--platform-fault-domain-count", "2")
    for i in range(2):
        az(env, "network", "lb", "inbound-nat-rule", "create", *g, "--lb-name", "lb", "-n", f"ssh{i}",
           "--protocol", "Tcp", "--frontend-port", str(50000 + i), "--backend-port", "22", "--frontend-ip", "fe")
        az(env, "network", "nic", "create", *g, "-n", f"web{i}-nic", "--vnet-name", "vnet", "--subnet", "front",
           "--lb-name", "lb", "--lb-address-pools", "pool", "--lb-inbound-nat-rules", f"ssh{i}",
           "--asgs", "web-servers")
        az(env, "vm", "create", *g, "-n", f"web{i}", "--image", "Ubuntu2204", "--nics", f"web{i}-nic",
           "--availability-set", "avset", "--size", "Standard_B2s", "--admin-username", "azureuser",
           "--admin-password", "S3cret!pass-1234")
        az(env, "vm", "disk", "attach", *g, "--vm-name", f"web{i}", "--name", f"web{i}-data", "--new",
           "--size-gb", "32")
        az(env, "vm", "extension", "set", *g, "--vm-name", f"web{i}", "--name", "CustomScript",
           "--publisher", "Microsoft.Azure.Extensions", "--settings", '{"commandToExecute": "echo ok"}')

    pool = az(env, "network", "lb", "address-pool", "show", *g, "--lb-name", "lb", "-n", "pool")
    assert len(pool["backendIPConfigurations"]) == 2
    rules = az(env, "network", "lb", "inbound-nat-rule", "list", *g, "--lb-name", "lb")
    assert {r["name"]: r["backendIPConfiguration"]["id"].split("/")[8] for r in rules} == {
        "ssh0": "web0-nic", "ssh1": "web1-nic"}
    assert [r["name"] for r in az(env, "network", "lb", "rule", "list", *g, "--lb-name", "lb")] == ["http"]
    assert [p["name"] for p in az(env, "network", "lb", "probe", "list", *g, "--lb-name", "lb")] == ["http"]
    nic = az(env, "network", "nic", "show", *g, "-n", "web0-nic")
    asgs = nic["ipConfigurations"][0]["applicationSecurityGroups"]
    assert [a["id"].rsplit("/", 1)[1] for a in asgs] == ["web-servers"]
    vm = az(env, "vm", "show", *g, "-n", "web1")
    assert vm["availabilitySet"]["id"].lower().endswith("/availabilitysets/avset")
    assert [d["name"] for d in vm["storageProfile"]["dataDisks"]] == ["web1-data"]

    # A NAT rule forwards to one IP configuration; one in use, or its security group, stays.
    err = az(env, "network", "nic", "ip-config", "inbound-nat-rule", "add", *g, "--nic-name", "web1-nic",
             "--ip-config-name", "ipconfig1", "--lb-name", "lb", "--inbound-nat-rule", "ssh0", ok=False)
    assert "InboundNatRuleInUse" in err
    err = az(env, "network", "lb", "inbound-nat-rule", "delete", *g, "--lb-name", "lb", "-n", "ssh1", ok=False)
    assert "InboundNatRuleInUse" in err
    err = az(env, "network", "asg", "delete", *g, "-n", "web-servers", ok=False)
    assert "cannot be deleted because it is referenced by IpConfiguration(s) ipconfig1" in err
    # One SKU per availability set: a Basic public IP beside the Standard load balancer.
    az(env, "network", "public-ip", "create", *g, "-n", "basic-ip", "--sku", "Basic", "--allocation-method", "Static")
    err = az(env, "network", "nic", "ip-config", "update", *g, "--nic-name", "web0-nic", "-n", "ipconfig1",
             "--public-ip-address", "basic-ip", ok=False)
    assert "(DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed)" in err
    az(env, "group", "delete", "-n", "web", "--yes")


def test_private_dns_zone(env):
    """`az network private-dns`: a zone created with its SOA, linked to a network with
    auto-registration (a VM created in the network gets its record), an A record set built
    record by record, the zone's counts, and the refusals (a second link to one network, a
    linked zone's delete)."""
    g = ["-g", "dns"]
    az(env, "group", "create", "-n", "dns", "-l", "eastus")
    az(env, "network", "vnet", "create", *g, "-n", "hub", "--address-prefixes", "10.9.0.0/16",
       "--subnet-name", "default", "--subnet-prefixes", "10.9.1.0/24")
    zone = az(env, "network", "private-dns", "zone", "create", *g, "-n", "corp.internal")
    assert zone["numberOfRecordSets"] == 1, zone
    # Listed without a group: across the subscription.
    assert "corp.internal" in [z["name"] for z in az(env, "network", "private-dns", "zone", "list")]
    z = [*g, "-z", "corp.internal"]
    link = az(env, "network", "private-dns", "link", "vnet", "create", *z, "-n", "hub-link",
              "-v", "hub", "-e", "true")
    assert link["virtualNetworkLinkState"] == "Completed", link
    assert link["registrationEnabled"] is True, link
    err = az(env, "network", "private-dns", "link", "vnet", "create", *z, "-n", "again", "-v", "hub",
             "-e", "false", ok=False)
    assert "already linked to private DNS zone corp.internal by link hub-link" in err
    vm = az(env, "vm", "create", *g, "-n", "app1", "--image", "Ubuntu2204", "--vnet-name", "hub",
            "--subnet", "default", "--public-ip-address", "", "--nsg", "", "--size", "Standard_B2s",
            "--admin-username", "azureuser", "--admin-password", "S3cret!pass-1234")
    registered = az(env, "network", "private-dns", "record-set", "a", "show", *z, "-n", "app1")
    assert registered["isAutoRegistered"] is True, registered
    assert registered["aRecords"] == [{"ipv4Address": vm["privateIpAddress"]}], registered
    az(env, "network", "private-dns", "record-set", "a", "add-record", *z, "-n", "db", "-a", "10.9.0.4")
    record = az(env, "network", "private-dns", "record-set", "a", "add-record", *z, "-n", "db", "-a", "10.9.0.5")
    assert [r["ipv4Address"] for r in record["aRecords"]] == ["10.9.0.4", "10.9.0.5"], record
    assert record["fqdn"] == "db.corp.internal.", record
    soa = az(env, "network", "private-dns", "record-set", "soa", "show", *z)
    assert soa["soaRecord"]["host"] == "azureprivatedns.net", soa
    names = sorted(r["name"] for r in az(env, "network", "private-dns", "record-set", "list", *z))
    assert names == ["@", "app1", "db"], names
    zone = az(env, "network", "private-dns", "zone", "show", *g, "-n", "corp.internal")
    assert (zone["numberOfRecordSets"], zone["numberOfVirtualNetworkLinks"],
            zone["numberOfVirtualNetworkLinksWithRegistration"]) == (3, 1, 1), zone
    # Inside the VM, the zone's names resolve (Azure's resolver answers from linked zones).
    ran = az(env, "vm", "run-command", "invoke", *g, "-n", "app1", "--command-id", "RunShellScript",
             "--scripts", "nslookup db.corp.internal", "getent hosts app1.corp.internal")
    message = ran["value"][0]["message"]
    assert "Name:\tdb.corp.internal\nAddress: 10.9.0.4\nName:\tdb.corp.internal\nAddress: 10.9.0.5" in message, message
    assert f"{vm['privateIpAddress']:<15} app1.corp.internal" in message, message
    az(env, "vm", "delete", *g, "-n", "app1", "--yes")
    names = sorted(r["name"] for r in az(env, "network", "private-dns", "record-set", "list", *z))
    assert names == ["@", "db"], names
    err = az(env, "network", "private-dns", "zone", "delete", *g, "-n", "corp.internal", "--yes", ok=False)
    assert "cannot be deleted while virtual network links to it remain (hub-link)" in err
    az(env, "network", "private-dns", "link", "vnet", "delete", *z, "-n", "hub-link", "--yes")
    az(env, "network", "private-dns", "zone", "delete", *g, "-n", "corp.internal", "--yes")
    assert az(env, "network", "private-dns", "zone", "list", *g) == []
    az(env, "group", "delete", "-n", "dns", "--yes")


def test_private_endpoint(env):
    """`az network private-endpoint`: an endpoint to a storage account's blobs takes an
    address in the subnet through a NIC of its own, a DNS zone group writes the account's A
    record in the linked `privatelink` zone, a VM of the network resolves the account's name to
    the endpoint, and the NIC is the endpoint's until the endpoint goes."""
    g = ["-g", "pe"]
    az(env, "group", "create", "-n", "pe", "-l", "eastus")
    az(env, "network", "vnet", "create", *g, "-n", "hub", "--address-prefixes", "10.8.0.0/16",
       "--subnet-name", "default", "--subnet-prefixes", "10.8.1.0/24")
    account = az(env, "resource", "create", *g, "-n", "shopdata", "--resource-type",
                 "Microsoft.Storage/storageAccounts", "-l", "eastus",
                 "-p", '{"kind": "StorageV2", "sku": {"name": "Standard_LRS"}}')
    offered = az(env, "network", "private-link-resource", "list", "--id", account["id"])
    assert [r["properties"]["groupId"] for r in offered][:2] == ["blob", "blob_secondary"], offered
    endpoint = az(env, "network", "private-endpoint", "create", *g, "-n", "shop-blob",
                  "--vnet-name", "hub", "--subnet", "default", "--connection-name", "blob",
                  "--private-connection-resource-id", account["id"], "--group-id", "blob")
    state = endpoint["privateLinkServiceConnections"][0]["privateLinkServiceConnectionState"]
    assert state["status"] == "Approved", endpoint
    assert endpoint["customDnsConfigs"] == [
        {"fqdn": "shopdata.blob.core.windows.net", "ipAddresses": ["10.8.1.4"]}], endpoint
    nic_id = endpoint["networkInterfaces"][0]["id"]
    nic = az(env, "network", "nic", "show", "--ids", nic_id)
    assert nic["ipConfigurations"][0]["privateIPAddress"] == "10.8.1.4", nic
    # The docs' way to find a member's address for a DNS record of one's own.
    found = az(env, "network", "nic", "show", "--ids", nic_id, "--query",
               "ipConfigurations[?privateLinkConnectionProperties.requiredMemberName=='blob'].privateIPAddress")
    assert found == ["10.8.1.4"], found
    err = az(env, "network", "private-endpoint", "create", *g, "-n", "bad", "--vnet-name", "hub",
             "--subnet", "default", "--connection-name", "c", "--private-connection-resource-id",
             account["id"], "--group-id", "sites", ok=False)
    assert "Group id 'sites'" in err and "Valid group ids: blob" in err, err

    zone = "privatelink.blob.core.windows.net"
    az(env, "network", "private-dns", "zone", "create", *g, "-n", zone)
    az(env, "network", "private-dns", "link", "vnet", "create", *g, "-z", zone, "-n", "hub-link",
       "-v", "hub", "-e", "false")
    group = az(env, "network", "private-endpoint", "dns-zone-group", "create", *g,
               "--endpoint-name", "shop-blob", "-n", "default", "--private-dns-zone", zone,
               "--zone-name", "blob")
    records = group["privateDnsZoneConfigs"][0]["recordSets"]
    assert [(r["recordSetName"], r["ipAddresses"]) for r in records] == [("shopdata", ["10.8.1.4"])], group
    record = az(env, "network", "private-dns", "record-set", "a", "show", *g, "-z", zone, "-n", "shopdata")
    assert record["aRecords"] == [{"ipv4Address": "10.8.1.4"}], record
    az(env, "vm", "create", *g, "-n", "app1", "--image", "Ubuntu2204", "--vnet-name", "hub",
       "--subnet", "default", "--public-ip-address", "", "--nsg", "", "--size", "Standard_B2s",
       "--admin-username", "azureuser", "--admin-password", "S3cret!pass-1234")
    ran = az(env, "vm", "run-command", "invoke", *g, "-n", "app1", "--command-id", "RunShellScript",
             "--scripts", "nslookup shopdata.blob.core.windows.net")
    message = ran["value"][0]["message"]
    assert "canonical name = shopdata.privatelink.blob.core.windows.net." in message, message
    assert "Address: 10.8.1.4" in message, message

    err = az(env, "network", "nic", "delete", "--ids", nic_id, ok=False)
    assert "CannotModifyNicAttachedToPrivateEndpoint" in err, err
    az(env, "network", "private-endpoint", "delete", *g, "-n", "shop-blob")
    assert az(env, "network", "private-dns", "record-set", "a", "list", *g, "-z", zone) == []
    assert nic_id.lower() not in [n["id"].lower() for n in az(env, "network", "nic", "list", *g)]
    az(env, "group", "delete", "-n", "pe", "--yes")


def test_private_endpoint_connection_approval(env):
    """`az network private-endpoint-connection`: the storage account's owner sees a manual
    endpoint's connection pending, approves it (the endpoint then shows the account's name),
    rejects it, cannot approve it again, and removes it (the endpoint is left disconnected)."""
    g = ["-g", "pec"]
    az(env, "group", "create", "-n", "pec", "-l", "eastus")
    az(env, "network", "vnet", "create", *g, "-n", "hub", "--address-prefixes", "10.9.0.0/16",
       "--subnet-name", "default", "--subnet-prefixes", "10.9.1.0/24")
    account = az(env, "resource", "create", *g, "-n", "askdata", "--resource-type",
                 "Microsoft.Storage/storageAccounts", "-l", "eastus",
                 "-p", '{"kind": "StorageV2", "sku": {"name": "Standard_LRS"}}')
    endpoint = az(env, "network", "private-endpoint", "create", *g, "-n", "asker",
                  "--vnet-name", "hub", "--subnet", "default", "--connection-name", "blob",
                  "--private-connection-resource-id", account["id"], "--group-id", "blob",
                  "--manual-request", "--request-message", "let me in")
    state = endpoint["manualPrivateLinkServiceConnections"][0]["privateLinkServiceConnectionState"]
    assert state["status"] == "Pending", endpoint
    assert endpoint["customDnsConfigs"] == [], endpoint

    [conn] = az(env, "network", "private-endpoint-connection", "list", "--id", account["id"])
    assert conn["properties"]["privateEndpoint"]["id"] == endpoint["id"], conn
    assert conn["properties"]["privateLinkServiceConnectionState"]["description"] == "let me in", conn
    approved = az(env, "network", "private-endpoint-connection", "approve", "--id", conn["id"],
                  "--description", "welcome")
    assert approved["properties"]["privateLinkServiceConnectionState"]["status"] == "Approved", approved
    endpoint = az(env, "network", "private-endpoint", "show", *g, "-n", "asker")
    assert endpoint["customDnsConfigs"] == [
        {"fqdn": "askdata.blob.core.windows.net", "ipAddresses": ["10.9.1.4"]}], endpoint

    az(env, "network", "private-endpoint-connection", "reject", "--id", conn["id"],
       "--description", "changed my mind")
    shown = az(env, "network", "private-endpoint-connection", "show", "--id", conn["id"])
    assert shown["properties"]["privateLinkServiceConnectionState"]["status"] == "Rejected", shown
    err = az(env, "network", "private-endpoint-connection", "approve", "--id", conn["id"], ok=False)
    assert "InvalidValuesForRequestParameters" in err, err
    endpoint = az(env, "network", "private-endpoint", "show", *g, "-n", "asker")
    assert endpoint["customDnsConfigs"] == [], endpoint

    az(env, "network", "private-endpoint-connection", "delete", "--id", conn["id"], "--yes")
    assert az(env, "network", "private-endpoint-connection", "list", "--id", account["id"]) == []
    endpoint = az(env, "network", "private-endpoint", "show", *g, "-n", "asker")
    state = endpoint["manualPrivateLinkServiceConnections"][0]["privateLinkServiceConnectionState"]
    assert state["status"] == "Disconnected", endpoint
    az(env, "group", "delete", "-n", "pec", "--yes")


def test_private_link_service(env):
    """`az network private-link-service`: a service in front of a Standard internal load
    balancer (its NAT subnet's service network policies disabled), an endpoint that asks to
    connect, the service's owner approving it, and the frontend kept while the service uses
    it."""
    g = ["-g", "pls"]
    az(env, "group", "create", "-n", "pls", "-l", "eastus")
    az(env, "network", "vnet", "create", *g, "-n", "prov", "--address-prefixes", "10.6.0.0/16",
       "--subnet-name", "lbs", "--subnet-prefixes", "10.6.1.0/24")
    az(env, "network", "vnet", "subnet", "create", *g, "--vnet-name", "prov", "-n", "nat",
       "--address-prefixes", "10.6.2.0/24")
    az(env, "network", "vnet", "subnet", "create", *g, "--vnet-name", "prov", "-n", "consumers",
       "--address-prefixes", "10.6.3.0/24")
    az(env, "network", "lb", "create", *g, "-n", "ilb", "--sku", "Standard", "--vnet-name", "prov",
       "--subnet", "lbs", "--frontend-ip-name", "fe", "--backend-pool-name", "pool")
    create = ["network", "private-link-service", "create", *g, "-n", "svc", "--vnet-name", "prov",
              "--subnet", "nat", "--lb-name", "ilb", "--lb-frontend-ip-configs", "fe"]
    err = az(env, *create, ok=False)
    assert "PrivateLinkServiceNetworkPoliciesCannotBeEnabledOnPrivateLinkServiceSubnet" in err, err
    az(env, "network", "vnet", "subnet", "update", *g, "--vnet-name", "prov", "-n", "nat",
       "--private-link-service-network-policies", "Disabled")
    service = az(env, *create)
    assert service["alias"].startswith("svc.") and service["alias"].endswith(".azure.privatelinkservice"), service
    assert az(env, "network", "private-link-service", "show", *g, "-n", "svc")["alias"] == service["alias"]

    endpoint = az(env, "network", "private-endpoint", "create", *g, "-n", "asker",
                  "--vnet-name", "prov", "--subnet", "consumers", "--connection-name", "c",
                  "--private-connection-resource-id", service["id"], "--manual-request",
                  "--request-message", "let me in")
    state = endpoint["manualPrivateLinkServiceConnections"][0]["privateLinkServiceConnectionState"]
    assert state["status"] == "Pending", endpoint
    service = az(env, "network", "private-link-service", "show", *g, "-n", "svc")
    [conn] = service["privateEndpointConnections"]
    updated = az(env, "network", "private-link-service", "connection", "update", *g,
                 "--service-name", "svc", "-n", conn["name"], "--connection-status", "Approved",
                 "--description", "welcome")
    assert updated["privateLinkServiceConnectionState"]["status"] == "Approved", updated
    endpoint = az(env, "network", "private-endpoint", "show", *g, "-n", "asker")
    state = endpoint["manualPrivateLinkServiceConnections"][0]["privateLinkServiceConnectionState"]
    assert state == {"status": "Approved", "description": "welcome", "actionsRequired": "None"}, state
    # The generic `az network private-endpoint-connection` commands reach the same record.
    listed = az(env, "network", "private-endpoint-connection", "list", "--id", service["id"])
    assert [c["name"] for c in listed] == [conn["name"]], listed
    rejected = az(env, "network", "private-endpoint-connection", "reject", "--id", conn["id"],
                  "--description", "closed")
    assert rejected["properties"]["privateLinkServiceConnectionState"]["status"] == "Rejected", rejected
    endpoint = az(env, "network", "private-endpoint", "show", *g, "-n", "asker")
    state = endpoint["manualPrivateLinkServiceConnections"][0]["privateLinkServiceConnectionState"]
    assert state["status"] == "Rejected", state

    err = az(env, "network", "lb", "delete", *g, "-n", "ilb", ok=False)
    assert "InUseFrontendIPConfigurationCannotBeDeleted" in err, err
    az(env, "network", "private-endpoint", "delete", *g, "-n", "asker")
    az(env, "network", "private-link-service", "delete", *g, "-n", "svc")
    az(env, "network", "lb", "delete", *g, "-n", "ilb")
    az(env, "group", "delete", "-n", "pls", "--yes")


def test_guest_routes_through_run_command(env):
    """The seed's Linux walk-through: a secondary NIC reaches another subnet only after
    policy routing is added in the guest."""
    az(env, "group", "create", "-n", "guest", "-l", "eastus")
    az(env, "network", "vnet", "create", "-g", "guest", "-n", "vnet", "--address-prefixes", "10.0.0.0/16",
       "--subnet-name", "front", "--subnet-prefixes", "10.0.1.0/24")
    az(env, "network", "vnet", "subnet", "create", "-g", "guest", "--vnet-name", "vnet", "-n", "back",
       "--address-prefixes", "10.0.2.0/24")
    az(env, "network", "nic", "create", "-g", "guest", "-n", "n1", "--vnet-name", "vnet", "--subnet", "front")
    az(env, "network", "nic", "create", "-g", "guest", "-n", "n2", "--vnet-name", "vnet", "--subnet", "back")
    az(env, "vm", "create", "-g", "guest", "-n", "linux", "--image", "Ubuntu2204", "--nics", "n1", "n2",
       "--size", "Standard_DS3_v2", "--admin-username", "azureuser", "--admin-password", "S3cret!pass-1234")
    out = az(env, "vm", "run-command", "invoke", "-g", "guest", "-n", "linux", "--command-id", "RunShellScript",
             "--scripts", "ip route show")
    message = out["value"][0]["message"]
    assert "default via 10.0.1.1 dev eth0" in message
    assert "default via 10.0.2.1" not in message


def test_vm_create_builds_its_own_network(env):
    az(env, "group", "create", "-n", "auto", "-l", "eastus")
    vm = az(env, "vm", "create", "-g", "auto", "-n", "web", "--image", "Win2022Datacenter",
            "--admin-username", "azureuser", "--admin-password", "S3cret!pass-1234", "--size", "Standard_DS2_v2")
    assert vm["powerState"] == "VM running"
    assert vm["publicIpAddress"]
    assert vm["privateIpAddress"].startswith("10.0.0.")
    names = sorted(r["type"] for r in az(env, "resource", "list", "-g", "auto"))
    for t in ("Microsoft.Compute/virtualMachines", "Microsoft.Network/networkInterfaces",
              "Microsoft.Network/networkSecurityGroups", "Microsoft.Network/publicIPAddresses",
              "Microsoft.Network/virtualNetworks"):
        assert t in names, names
    shown = az(env, "vm", "show", "-g", "auto", "-n", "web")
    assert shown["storageProfile"]["osDisk"]["osType"] == "Windows"


def template(name):
    return os.path.join(ROOT, "examples", "templates", name)


def test_deployment_group_create(env):
    az(env, "group", "create", "-n", "tpl", "-l", "eastus")
    valid = az(env, "deployment", "group", "validate", "-g", "tpl", "--template-file", template("vm-two-nics.json"),
               "--parameters", "adminPassword=S3cret!pass-1234")
    assert valid["properties"]["provisioningState"] == "Succeeded"
    whatif = az(env, "deployment", "group", "what-if", "-g", "tpl", "--template-file", template("vm-two-nics.json"),
                "--parameters", "adminPassword=S3cret!pass-1234", "--no-pretty-print")
    assert sorted(c["changeType"] for c in whatif["changes"]) == ["Create"] * 4
    d = az(env, "deployment", "group", "create", "-g", "tpl", "-n", "twonics",
           "--template-file", template("vm-two-nics.json"), "--parameters", "adminPassword=S3cret!pass-1234")
    assert d["properties"]["provisioningState"] == "Succeeded"
    assert d["properties"]["outputs"]["primaryPrivateIp"]["value"] == "10.0.1.4"
    assert "S3cret" not in json.dumps(d)
    nics = az(env, "vm", "nic", "list", "-g", "tpl", "--vm-name", "vm1")
    assert [(n["id"].rsplit("/", 1)[1], n["primary"]) for n in nics] == [("vm1-nic1", True), ("vm1-nic2", False)]
    ops = az(env, "deployment", "operation", "group", "list", "-g", "tpl", "-n", "twonics")
    assert len(ops) == 4

    d = az(env, "deployment", "group", "create", "-g", "tpl", "-n", "threeips",
           "--template-file", template("nic-three-ipconfigs.json"))
    nic = az(env, "network", "nic", "show", "-g", "tpl", "-n", "myNic")
    assert [c["privateIPAddress"] for c in nic["ipConfigurations"]] == ["10.0.0.4", "10.0.0.5", "10.0.0.6"]
    assert sum(1 for c in nic["ipConfigurations"] if c.get("publicIPAddress")) == 2

    d = az(env, "deployment", "group", "create", "-g", "tpl", "-n", "loop",
           "--template-file", template("nics-copy.json"), "--parameters", "count=4")
    assert d["properties"]["outputs"]["nicNames"]["value"] == ["nic-0", "nic-1", "nic-2", "nic-3"]

    err = az(env, "deployment", "group", "create", "-g", "tpl", "-n", "small",
             "--template-file", template("too-many-nics.json"), "--parameters", "adminPassword=S3cret!pass-1234",
             ok=False)
    assert "DeploymentFailed" in err and "NetworkInterfaceCountExceeded" in err, err
    shown = az(env, "deployment", "group", "show", "-g", "tpl", "-n", "small")
    assert shown["properties"]["provisioningState"] == "Failed"
    names = [d["name"] for d in az(env, "deployment", "group", "list", "-g", "tpl")]
    assert sorted(names) == ["loop", "small", "threeips", "twonics"]


def test_deployment_group_create_with_modules(env):
    """The seed's VM with two NICs from a template whose modules are nested deployments (what
    Bicep modules compile to): each module is a deployment of the group, its outputs feed the
    next; what-if looks inside the modules it can predict."""
    az(env, "group", "create", "-n", "mods", "-l", "eastus")
    whatif = az(env, "deployment", "group", "what-if", "-g", "mods", "--template-file", template("vm-modules.json"),
                "--parameters", "adminPassword=S3cret!pass-1234", "--no-pretty-print")
    kinds = sorted((c["resourceId"].rsplit("/", 2)[-2], c["changeType"]) for c in whatif["changes"])
    # The NIC modules need the network module's outputs: not predictable before it runs.
    assert kinds == [("deployments", "Unsupported"), ("deployments", "Unsupported"),
                     ("virtualMachines", "Create"), ("virtualNetworks", "Create")], kinds
    d = az(env, "deployment", "group", "create", "-g", "mods", "-n", "main",
           "--template-file", template("vm-modules.json"), "--parameters", "adminPassword=S3cret!pass-1234")
    assert d["properties"]["provisioningState"] == "Succeeded"
    assert d["properties"]["outputs"]["secondaryPrivateIp"]["value"] == "10.0.2.4"
    names = sorted(d["name"] for d in az(env, "deployment", "group", "list", "-g", "mods"))
    assert names == ["main", "network", "nic-1", "nic-2"], names
    module = az(env, "deployment", "group", "show", "-g", "mods", "-n", "network")
    assert module["properties"]["outputs"]["subnetIds"]["value"][1].endswith("/subnets/Back")
    ops = az(env, "deployment", "operation", "group", "list", "-g", "mods", "-n", "main")
    assert sorted(o["properties"]["targetResource"]["resourceType"] for o in ops) == \
        ["Microsoft.Compute/virtualMachines"] + ["Microsoft.Resources/deployments"] * 3
    nics = az(env, "vm", "nic", "list", "-g", "mods", "--vm-name", "vm1")
    assert [(n["id"].rsplit("/", 1)[1], n["primary"]) for n in nics] == [("vm1-nic1", True), ("vm1-nic2", False)]


def test_deployment_sub_create(env):
    """A subscription deployment: the template creates a resource group and deploys a module
    into it; az's sub commands show, list and operate on it."""
    whatif = az(env, "deployment", "sub", "what-if", "-l", "eastus", "--template-file", template("landing-zone.json"),
                "--no-pretty-print")
    assert [c["changeType"] for c in whatif["changes"]][0] == "Create", whatif
    d = az(env, "deployment", "sub", "create", "-l", "eastus", "-n", "lz",
           "--template-file", template("landing-zone.json"), "--parameters", "rgName=lz-rg")
    assert d["properties"]["provisioningState"] == "Succeeded"
    assert d["location"] == "eastus"
    assert d["properties"]["outputs"]["nicIp"]["value"] == "10.20.1.4"
    assert d["properties"]["outputs"]["resourceGroupId"]["value"].endswith("/resourceGroups/lz-rg")
    assert az(env, "group", "show", "-n", "lz-rg")["location"] == "eastus"
    assert [x["name"] for x in az(env, "deployment", "sub", "list")] == ["lz"]
    assert az(env, "deployment", "sub", "show", "-n", "lz")["properties"]["mode"] == "Incremental"
    ops = az(env, "deployment", "operation", "sub", "list", "-n", "lz")
    assert sorted(o["properties"]["targetResource"]["resourceType"] for o in ops) == \
        ["Microsoft.Resources/deployments", "Microsoft.Resources/resourceGroups"]
    assert [x["name"] for x in az(env, "deployment", "group", "list", "-g", "lz-rg")] == ["network"]
    # The same name in another location is Azure's InvalidDeploymentLocation.
    err = az(env, "deployment", "sub", "create", "-l", "westus", "-n", "lz",
             "--template-file", template("landing-zone.json"), "--parameters", "rgName=lz-rg", ok=False)
    assert "InvalidDeploymentLocation" in err, err
    az(env, "deployment", "sub", "delete", "-n", "lz")
    assert az(env, "deployment", "sub", "list") == []


TENANT = "00000000-0000-0000-0000-0000000000a1"


def test_cloud_register_with_and_without_trailing_slash(env):
    """`az cloud register --endpoint-resource-manager https://host/` asks for
    `//metadata/endpoints`; without the slash, `/metadata/endpoints`. Both must work, then
    login and a command."""
    url = env["CERULEAN_URL"]
    ca = env["REQUESTS_CA_BUNDLE"]
    for name, endpoint in (("WithSlash", url + "/"), ("NoSlash", url)):
        config = tempfile.mkdtemp(prefix="cerulean-az-cloud-")
        # A fresh config dir would look az's version up online on first run.
        shutil.copy(os.path.join(env["AZURE_CONFIG_DIR"], "versionCheck.json"), config)
        e = {**env, "AZURE_CONFIG_DIR": config, "SSL_CERT_FILE": ca}
        az(e, "cloud", "register", "--name", name, "--endpoint-resource-manager", endpoint)
        cloud = az(e, "cloud", "show", "--name", name)
        assert cloud["endpoints"]["resourceManager"].rstrip("/") == url, cloud
        assert cloud["endpoints"]["activeDirectory"].rstrip("/") == url, cloud
        az(e, "cloud", "set", "--name", name)
        az(e, "config", "set", "core.instance_discovery=false")
        accounts = az(e, "login", "--service-principal", "-u", "me", "-p", "anything", "--tenant", TENANT)
        assert accounts[0]["id"] == SUB, accounts
        az(e, "group", "create", "-n", f"registered-{name.lower()}", "-l", "eastus")
        names = [g["name"] for g in az(e, "group", "list")]
        assert f"registered-{name.lower()}" in names, names
        shutil.rmtree(config, ignore_errors=True)


def _readme_block(heading, lang):
    return subprocess.run(
        [os.path.join(ROOT, "scripts", "readme-block"), heading, lang],
        capture_output=True, text=True, check=True,
    ).stdout


def test_the_readme_az_block_verbatim():
    """README.md's "The az CLI in three lines" blocks, read out of the README and run as
    written against `cerulean serve` on its default port (free in this suite's network
    namespace). The block writes /tmp/cerulean-az; a private mount namespace gives it a
    directory of its own there, so parallel runs do not share az's token cache."""
    script = _readme_block("The az CLI in three lines", "sh")
    data = tempfile.mkdtemp(prefix="cerulean-az-readme-")
    private = tempfile.mkdtemp(prefix="cerulean-az-readme-config-")
    proc = subprocess.Popen(
        [_binary(), "serve", "--location", data],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "CERULEAN_LOG": "warn"},
    )
    try:
        for line in proc.stdout:
            if line.startswith("cerulean listening on https://127.0.0.1:8443"):
                break
        else:
            raise AssertionError("cerulean did not start on 8443")
        az_bin = os.path.join(os.environ["AZ_VENV"], "bin")
        env = {
            **os.environ,
            "PATH": f"{az_bin}:{os.path.dirname(_binary())}:{os.environ['PATH']}",
            "CERULEAN_LOCATION": data,  # where `cerulean az-profile` finds the server's CA
            "HOME": data,
            "AZURE_CORE_NO_COLOR": "true",
        }
        r = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "--", "bash", "-c",
             'mkdir -p /tmp/cerulean-az && mount --bind "$0" /tmp/cerulean-az && exec bash -euo pipefail -c "$1"',
             private, script],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
        )
        assert r.returncode == 0, f"the README's az block failed:\n{script}\n{r.stdout[-3000:]}\n{r.stderr[-5000:]}"
        # The block's profile, seen from outside its mount namespace.
        after = {**env, "AZURE_CONFIG_DIR": private, "REQUESTS_CA_BUNDLE": os.path.join(data, "tls", "ca.pem")}
        vms = sorted(v["name"] for v in az(after, "vm", "list", "-g", "rg"))
        assert vms == ["vm1", "vm2"], vms
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(private, ignore_errors=True)


def test_custom_role_definitions():
    """`az role definition create/list/update/delete` (`serve --rbac`): a custom role is
    assigned in its group, grants what it lists there and nothing else, and goes only once
    nothing is assigned it."""
    principals = [
        {"clientId": "az-admin", "clientSecret": "s", "roles": [{"role": "Owner", "scope": f"/subscriptions/{SUB}"}]},
        {"clientId": "az-operator", "clientSecret": "s"},
    ]
    proc, _, data, (admin, operator) = _serve_rbac(principals, "az-admin", "az-operator")
    try:
        az(admin, "group", "create", "-n", "ops", "-l", "eastus")
        az(admin, "network", "vnet", "create", "-g", "ops", "-n", "vnet", "--address-prefixes", "10.0.0.0/16",
           "--subnet-name", "front", "--subnet-prefixes", "10.0.1.0/24")
        group = f"/subscriptions/{SUB}/resourceGroups/ops"
        role = {
            "Name": "NIC Operator",
            "Description": "Creates and changes the network interfaces of the ops group.",
            "Actions": ["Microsoft.Resources/subscriptions/resourceGroups/read",
                        "Microsoft.Network/networkInterfaces/read", "Microsoft.Network/networkInterfaces/write",
                        "Microsoft.Network/virtualNetworks/read",
                        "Microsoft.Network/virtualNetworks/subnets/join/action",
                        # az polls the NIC's operation: as on Azure, that is a read of its own.
                        "Microsoft.Network/locations/operations/read"],
            "NotActions": [],
            "AssignableScopes": [group],
        }
        role_file = os.path.join(data, "role.json")
        with open(role_file, "w") as f:
            json.dump(role, f)
        created = az(admin, "role", "definition", "create", "--role-definition", f"@{role_file}")
        assert created["roleName"] == "NIC Operator" and created["roleType"] == "CustomRole", created
        err = az(admin, "role", "definition", "create", "--role-definition", f"@{role_file}", ok=False)
        assert "RoleDefinitionWithSameNameExists" in err, err
        listed = az(admin, "role", "definition", "list", "--custom-role-only", "true", "--scope", group)
        assert [r["roleName"] for r in listed] == ["NIC Operator"]

        az(admin, "role", "assignment", "create", "--assignee", "az-operator", "--role", "NIC Operator",
           "--scope", group)
        nic = az(operator, "network", "nic", "create", "-g", "ops", "-n", "nic1", "--vnet-name", "vnet",
                 "--subnet", "front")
        assert nic["NewNIC"]["ipConfigurations"][0]["privateIPAddress"] == "10.0.1.4"
        err = az(operator, "network", "nic", "delete", "-g", "ops", "-n", "nic1", ok=False)
        assert "AuthorizationFailed" in err, err

        # `update` finds the role by its name and writes it back changed: the write is gone.
        role["Actions"].remove("Microsoft.Network/networkInterfaces/write")
        with open(role_file, "w") as f:
            json.dump(role, f)
        updated = az(admin, "role", "definition", "update", "--role-definition", f"@{role_file}")
        assert "Microsoft.Network/networkInterfaces/write" not in updated["permissions"][0]["actions"]
        err = az(operator, "network", "nic", "create", "-g", "ops", "-n", "nic2", "--vnet-name", "vnet",
                 "--subnet", "front", ok=False)
        assert "AuthorizationFailed" in err, err

        err = az(admin, "role", "definition", "delete", "--name", "NIC Operator", "--scope", group, ok=False)
        assert "RoleDefinitionHasAssignments" in err, err
        az(admin, "role", "assignment", "delete", "--assignee", "az-operator", "--role", "NIC Operator",
           "--scope", group)
        az(admin, "role", "definition", "delete", "--name", "NIC Operator", "--scope", group)
        assert az(admin, "role", "definition", "list", "--custom-role-only", "true", "--scope", group) == []
    finally:
        _stop(proc, data)


def test_role_assignments_and_a_readers_refusal():
    """Access control (`serve --rbac`): an Owner assigns Reader with az, the Reader's
    `az vm nic remove` is refused with AuthorizationFailed, and Graph answers az's lookups."""
    principals = [
        {"clientId": "az-admin", "clientSecret": "s", "roles": [{"role": "Owner", "scope": f"/subscriptions/{SUB}"}]},
        {"clientId": "az-reader", "clientSecret": "s", "displayName": "Reading robot"},
        {"userName": "ada@cerulean.test", "password": "pw", "displayName": "Ada",
         "roles": [{"role": "Reader", "scope": f"/subscriptions/{SUB}"}]},
    ]
    proc, url, data, (admin, reader) = _serve_rbac(principals, "az-admin", "az-reader")
    try:

        az(admin, "group", "create", "-n", "rbac", "-l", "eastus")
        az(admin, "network", "vnet", "create", "-g", "rbac", "-n", "vnet", "--address-prefixes", "10.0.0.0/16",
           "--subnet-name", "front", "--subnet-prefixes", "10.0.1.0/24")
        for nic in ("nic1", "nic2"):
            az(admin, "network", "nic", "create", "-g", "rbac", "-n", nic, "--vnet-name", "vnet", "--subnet", "front")
        az(admin, "vm", "create", "-g", "rbac", "-n", "vm1", "--image", "Ubuntu2204", "--nics", "nic1", "nic2",
           "--size", "Standard_DS3_v2", "--admin-username", "azureuser", "--admin-password", "S3cret!pass-1234")
        az(admin, "vm", "deallocate", "-g", "rbac", "-n", "vm1")

        roles = az(admin, "role", "definition", "list", "--name", "Reader")
        assert [r["roleName"] for r in roles] == ["Reader"]
        assert roles[0]["permissions"][0]["actions"] == ["*/read"]

        # Before any role the reader sees nothing.
        err = az(reader, "group", "show", "-n", "rbac", ok=False)
        assert "AuthorizationFailed" in err, err

        scope = f"/subscriptions/{SUB}"
        created = az(admin, "role", "assignment", "create", "--assignee", "az-reader", "--role", "Reader",
                     "--scope", scope)
        sp = az(admin, "ad", "sp", "show", "--id", "az-reader")
        assert sp["appId"] == "az-reader"
        assert created["principalId"] == sp["id"] and created["principalType"] == "ServicePrincipal"
        listed = az(admin, "role", "assignment", "list", "--assignee", "az-reader")
        assert [(a["roleDefinitionName"], a["principalName"]) for a in listed] == [("Reader", "az-reader")]
        everyone = az(admin, "role", "assignment", "list", "--all")
        assert {a["principalName"] for a in everyone} >= {"az-admin", "az-reader", "ada@cerulean.test"}

        # The Reader reads, and its detach of a NIC (a write on the VM) is refused.
        assert az(reader, "vm", "show", "-g", "rbac", "-n", "vm1")["name"] == "vm1"
        err = az(reader, "vm", "nic", "remove", "-g", "rbac", "--vm-name", "vm1", "--nics", "nic2", ok=False)
        assert "AuthorizationFailed" in err, err
        assert "Microsoft.Compute/virtualMachines/write" in err, err
        assert len(az(admin, "vm", "nic", "list", "-g", "rbac", "--vm-name", "vm1")) == 2

        az(admin, "role", "assignment", "delete", "--assignee", "az-reader", "--role", "Reader", "--scope", scope)
        assert az(admin, "role", "assignment", "list", "--assignee", "az-reader") == []
        err = az(reader, "vm", "show", "-g", "rbac", "-n", "vm1", ok=False)
        assert "AuthorizationFailed" in err, err

        # A user signs in with a password (MSAL's username/password flow) and Graph knows them.
        # Through cerulean's ADFS authority: against an AAD-style one MSAL first asks the
        # host's port 443 for the user's realm, whatever port the authority names.
        user = _profile(url, data, "user")
        az(user, "cloud", "update", "--name", "Cerulean", "--endpoint-active-directory", f"{url}/adfs")
        az(user, "login", "-u", "ada@cerulean.test", "-p", "pw")
        me = az(user, "ad", "signed-in-user", "show")
        assert me["userPrincipalName"] == "ada@cerulean.test" and me["displayName"] == "Ada"
        assert az(user, "group", "show", "-n", "rbac")["name"] == "rbac"

        # `az login --use-device-code`: the code waits until Ada signs it in on /devicelogin
        # with her password; az then holds her token, and her Reader role applies.
        device = _profile(url, data, "device")
        login = subprocess.Popen([_az_bin(), "login", "--use-device-code", "--output", "json"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=device)
        prompt = None
        for line in login.stderr:
            prompt = re.search(r"open the page (\S+) and enter the code (\w+) to authenticate", line)
            if prompt:
                break
        assert prompt, "az printed no device code"
        assert prompt.group(1) == f"{url}/devicelogin"
        time.sleep(1.5)  # az polls meanwhile and is told to wait
        form = urllib.parse.urlencode({"code": prompt.group(2), "username": "ada@cerulean.test", "password": "pw"})
        context = ssl.create_default_context(cafile=device["REQUESTS_CA_BUNDLE"])
        with urllib.request.urlopen(prompt.group(1), data=form.encode(), context=context, timeout=10) as r:
            assert "You&#39;re signed in" in r.read().decode()
        out, err = login.communicate(timeout=120)
        assert login.returncode == 0, err
        assert json.loads(out)[0]["user"]["name"] == "ada@cerulean.test", out
        assert az(device, "group", "show", "-n", "rbac")["name"] == "rbac"
        err = az(device, "group", "create", "-n", "not-for-readers", "-l", "eastus", ok=False)
        assert "AuthorizationFailed" in err and "ada@cerulean.test" in err, err
    finally:
        _stop(proc, data)
