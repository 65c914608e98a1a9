"""The az CLI against cerulean, run inside a loopback-only network namespace (see
scripts/az-suite): the seed documents' commands and their failures with az's printed codes."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest

SUB = "00000000-0000-0000-0000-000000000001"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _binary():
    return os.environ.get("CERULEAN_BIN") or os.path.join(ROOT, "target", "debug", "cerulean")


@pytest.fixture(scope="session")
def env():
    data = tempfile.mkdtemp(prefix="cerulean-az-")
    proc = subprocess.Popen(
        [_binary(), "serve", "--port", "0", "--location", data],
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
    config = os.path.join(data, "az")
    out = subprocess.run(
        [_binary(), "az-profile", config, "--url", url, "--location", data],
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
    yield e
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(data, ignore_errors=True)


def az(env, *args, ok=True):
    az_bin = os.path.join(os.environ.get("AZ_VENV", ""), "bin", "az") if os.environ.get("AZ_VENV") else "az"
    started = time.time()
    r = subprocess.run([az_bin, *args, "--output", "json"], capture_output=True, text=True, env=env, timeout=300)
    took = time.time() - started
    if ok:
        assert r.returncode == 0, f"az {' '.join(args)} failed ({took:.1f}s):\n{r.stderr}"
        return json.loads(r.stdout) if r.stdout.strip() else None
    assert r.returncode != 0, f"az {' '.join(args)} should have failed:\n{r.stdout}"
    return r.stderr


def rest_put(env, path, body):
    return az(env, "rest", "--method", "put", "--url", f"{env['CERULEAN_URL']}{path}?api-version=2024-11-01",
              "--body", json.dumps(body))


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
    az(env, "network", "nic", "ip-config", "update", "-g", "rg", "--nic-name", "nic1", "-n", "cfg2",
       "--private-ip-address", "192.168.1.11")
    # `az network lb create` submits a template deployment (issue 7), so the suite creates
    # the load balancer through `az rest` until deployments exist; the pool commands below
    # are the real az ones.
    net = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network"
    rest_put(env, f"{net}/loadBalancers/lb1", {
        "location": "eastus",
        "sku": {"name": "Basic"},
        "properties": {
            "frontendIPConfigurations": [
                {"name": "fe", "properties": {"subnet": {"id": f"{net}/virtualNetworks/vnet1/subnets/back"}}}
            ],
            "backendAddressPools": [{"name": "pool1"}],
        },
    })
    lbs = az(env, "network", "lb", "list", "-g", "rg")
    assert [lb["name"] for lb in lbs] == ["lb1"]
    az(env, "network", "nic", "ip-config", "address-pool", "add", "-g", "rg", "--nic-name", "nic1",
       "--ip-config-name", "cfg2", "--lb-name", "lb1", "--address-pool", "pool1")
    pool = az(env, "network", "lb", "address-pool", "show", "-g", "rg", "--lb-name", "lb1", "-n", "pool1")
    assert pool["backendIPConfigurations"][0]["id"].endswith("/ipConfigurations/cfg2")
    az(env, "network", "nic", "ip-config", "address-pool", "remove", "-g", "rg", "--nic-name", "nic1",
       "--ip-config-name", "cfg2", "--lb-name", "lb1", "--address-pool", "pool1")
    az(env, "network", "nic", "ip-config", "delete", "-g", "rg", "--nic-name", "nic1", "-n", "cfg2")

    nic_id = lambda n: f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/{n}"
    rest_put(env, f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1", {
        "location": "eastus",
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_DS3_v2"},
            "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy",
                                                  "sku": "22_04-lts", "version": "latest"}},
            "osProfile": {"computerName": "vm1", "adminUsername": "azureuser", "adminPassword": "S3cret!pass"},
            "networkProfile": {"networkInterfaces": [{"id": nic_id("nic1"), "properties": {"primary": True}},
                                                     {"id": nic_id("nic2"), "properties": {"primary": False}}]},
        },
    })

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
