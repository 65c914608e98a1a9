// Clients for the suite, built as the README tells users to: the CA trusted through
// NODE_EXTRA_CA_CERTS, a service principal logged in at cerulean's token endpoint, every
// client's `endpoint` set to cerulean. scripts/with-cerulean provides CERULEAN_URL.
"use strict";

const assert = require("node:assert/strict");
const { ClientSecretCredential } = require("@azure/identity");
const { NetworkManagementClient } = require("@azure/arm-network");
const { ComputeManagementClient } = require("@azure/arm-compute");
const { ResourceManagementClient } = require("@azure/arm-resources");
const { ResourceManagementClient: DeploymentsClient } = require("arm-resources-6");

const URL = process.env.CERULEAN_URL;
assert.ok(URL, "run through scripts/js-suite (CERULEAN_URL is not set)");
assert.ok(process.env.NODE_EXTRA_CA_CERTS, "NODE_EXTRA_CA_CERTS must name cerulean's CA");

const SUB = "00000000-0000-0000-0000-000000000001";
const TENANT = "00000000-0000-0000-0000-0000000000a1";
const LOC = "eastus";

const credential = new ClientSecretCredential(TENANT, "js-suite", "any-secret", {
  authorityHost: URL,
  disableInstanceDiscovery: true,
});
const options = { endpoint: URL };
const resources = new ResourceManagementClient(credential, SUB, options);
const deployments = new DeploymentsClient(credential, SUB, options);
const network = new NetworkManagementClient(credential, SUB, options);
const compute = new ComputeManagementClient(credential, SUB, options);

/** A fresh resource group for one test; removed (a group delete LRO) by the returned function. */
async function group(name) {
  await resources.resourceGroups.createOrUpdate(name, { location: LOC });
  return async () => resources.resourceGroups.beginDeleteAndWait(name);
}

const netId = (g) => `/subscriptions/${SUB}/resourceGroups/${g}/providers/Microsoft.Network`;
const subnetId = (g, vnet, subnet) => `${netId(g)}/virtualNetworks/${vnet}/subnets/${subnet}`;

async function vnet(g, name = "vnet1") {
  return network.virtualNetworks.beginCreateOrUpdateAndWait(g, name, {
    location: LOC,
    addressSpace: { addressPrefixes: ["192.168.0.0/16"] },
    subnets: [
      { name: "front", addressPrefix: "192.168.1.0/24" },
      { name: "back", addressPrefix: "192.168.2.0/24" },
    ],
  });
}

async function nic(g, name, subnet = "front") {
  return network.networkInterfaces.beginCreateOrUpdateAndWait(g, name, {
    location: LOC,
    ipConfigurations: [{ name: "ipconfig1", subnet: { id: subnetId(g, "vnet1", subnet) } }],
  });
}

function vmBody(nics, size = "Standard_DS3_v2") {
  return {
    location: LOC,
    hardwareProfile: { vmSize: size },
    storageProfile: {
      imageReference: {
        publisher: "Canonical",
        offer: "0001-com-ubuntu-server-jammy",
        sku: "22_04-lts",
        version: "latest",
      },
    },
    osProfile: { computerName: "vm", adminUsername: "azureuser", adminPassword: "S3cret!pass-1234" },
    networkProfile: {
      networkInterfaces: nics.map((n, i) => ({ id: n.id, primary: i === 0 })),
    },
  };
}

/** Awaits `promise` and asserts it fails with this ARM error code; returns the error. */
async function rejectsWith(promise, code) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}

/** The power state code of an instance view (`PowerState/...`). */
function powerState(view) {
  return view.statuses.map((s) => s.code).find((c) => c.startsWith("PowerState/"));
}

module.exports = {
  SUB, LOC, URL, credential, resources, deployments, network, compute,
  group, subnetId, vnet, nic, vmBody, rejectsWith, powerState,
};
