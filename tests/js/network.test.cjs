// Microsoft.Network and resource groups through @azure/arm-network and @azure/arm-resources.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const c = require("./common.cjs");

test("resource groups: create, get, existence, not found", async () => {
  const done = await c.group("js-groups");
  const g = await c.resources.resourceGroups.get("js-groups");
  assert.equal(g.location, c.LOC);
  assert.equal((await c.resources.resourceGroups.checkExistence("js-groups")).body, true);
  assert.equal((await c.resources.resourceGroups.checkExistence("js-nope")).body, false);
  await c.rejectsWith(c.resources.resourceGroups.get("js-nope"), "ResourceGroupNotFound");
  await done();
  assert.equal((await c.resources.resourceGroups.checkExistence("js-groups")).body, false);
});

test("a NIC with three IP configurations: dynamic with a public IP, static, dynamic", async () => {
  const done = await c.group("js-nic");
  await c.vnet("js-nic");
  const pip = await c.network.publicIPAddresses.beginCreateOrUpdateAndWait("js-nic", "pip1", {
    location: c.LOC,
    sku: { name: "Standard" },
    publicIPAllocationMethod: "Static",
  });
  assert.ok(pip.ipAddress, "a Static public IP has its address at once");
  const subnet = { id: c.subnetId("js-nic", "vnet1", "front") };
  const nic = await c.network.networkInterfaces.beginCreateOrUpdateAndWait("js-nic", "nic1", {
    location: c.LOC,
    ipConfigurations: [
      { name: "c1", primary: true, subnet, publicIPAddress: { id: pip.id } },
      { name: "c2", subnet, privateIPAllocationMethod: "Static", privateIPAddress: "192.168.1.10" },
      { name: "c3", subnet },
    ],
  });
  assert.deepEqual(
    nic.ipConfigurations.map((x) => [x.name, x.privateIPAddress, x.primary]),
    [
      ["c1", "192.168.1.4", true],
      ["c2", "192.168.1.10", false],
      ["c3", "192.168.1.5", false],
    ],
  );
  const used = await c.network.publicIPAddresses.get("js-nic", "pip1");
  assert.match(used.ipConfiguration.id, /\/ipConfigurations\/c1$/);

  // IP configuration get and list.
  const c2 = await c.network.networkInterfaceIPConfigurations.get("js-nic", "nic1", "c2");
  assert.equal(c2.privateIPAddress, "192.168.1.10");
  assert.equal(c2.privateIPAllocationMethod, "Static");
  const all = [];
  for await (const x of c.network.networkInterfaceIPConfigurations.list("js-nic", "nic1")) all.push(x.name);
  assert.deepEqual(all, ["c1", "c2", "c3"]);

  // The static address is taken: a second NIC asking for it gets Azure's code.
  await c.rejectsWith(
    c.network.networkInterfaces.beginCreateOrUpdateAndWait("js-nic", "nic2", {
      location: c.LOC,
      ipConfigurations: [{ name: "x", subnet, privateIPAllocationMethod: "Static", privateIPAddress: "192.168.1.10" }],
    }),
    "PrivateIPAddressInUse",
  );

  // Network DELETEs (final state through Location) and a refused one.
  await c.rejectsWith(c.network.publicIPAddresses.beginDeleteAndWait("js-nic", "pip1"), "PublicIPAddressCannotBeDeleted");
  await c.network.networkInterfaces.beginDeleteAndWait("js-nic", "nic1");
  await c.network.publicIPAddresses.beginDeleteAndWait("js-nic", "pip1");
  await c.rejectsWith(c.network.networkInterfaces.get("js-nic", "nic1"), "ResourceNotFound");
  await done();
});

test("paging: listAll walks every page (the server runs with a small --page-size)", async () => {
  const done = await c.group("js-paging");
  await c.vnet("js-paging");
  const names = ["p1", "p2", "p3", "p4", "p5"];
  for (const n of names) await c.nic("js-paging", n);
  const seen = [];
  let pages = 0;
  for await (const page of c.network.networkInterfaces.listAll().byPage()) {
    pages += 1;
    for (const n of page) if (n.id.includes("/resourceGroups/js-paging/")) seen.push(n.name);
  }
  assert.deepEqual(seen.sort(), names);
  assert.ok(pages >= 3, `5 NICs with --page-size 2 take at least 3 pages, got ${pages}`);
  const inGroup = [];
  for await (const n of c.network.networkInterfaces.list("js-paging")) inGroup.push(n.name);
  assert.deepEqual(inGroup.sort(), names);
  const groups = [];
  for await (const g of c.resources.resourceGroups.list()) groups.push(g.name);
  assert.ok(groups.includes("js-paging"), groups.join(","));
  await done();
});

test("a template deployment (PUT polled through Azure-AsyncOperation, then GET)", async () => {
  const done = await c.group("js-deploy");
  const template = JSON.parse(
    require("node:fs").readFileSync(require("node:path").join(__dirname, "../../examples/templates/nic-three-ipconfigs.json"), "utf8"),
  );
  const d = await c.deployments.deployments.beginCreateOrUpdateAndWait("js-deploy", "threeips", {
    properties: { mode: "Incremental", template },
  });
  assert.equal(d.properties.provisioningState, "Succeeded");
  const nic = await c.network.networkInterfaces.get("js-deploy", "myNic");
  assert.deepEqual(
    nic.ipConfigurations.map((x) => x.privateIPAddress),
    ["10.0.0.4", "10.0.0.5", "10.0.0.6"],
  );
  await done();
});

test("a private endpoint to a storage account, its DNS zone group and its NIC", async () => {
  const done = await c.group("js-pe");
  await c.vnet("js-pe");
  const account = await c.resources.resources.beginCreateOrUpdateAndWait(
    "js-pe", "Microsoft.Storage", "", "storageAccounts", "jsshop", "2023-01-01",
    { location: c.LOC, kind: "StorageV2", sku: { name: "Standard_LRS" } },
  );
  const zone = await c.resources.resources.beginCreateOrUpdateAndWait(
    "js-pe", "Microsoft.Network", "", "privateDnsZones", "privatelink.blob.core.windows.net", "2024-06-01",
    { location: "global" },
  );
  const pe = await c.network.privateEndpoints.beginCreateOrUpdateAndWait("js-pe", "shop-blob", {
    location: c.LOC,
    subnet: { id: c.subnetId("js-pe", "vnet1", "back") },
    privateLinkServiceConnections: [{ name: "blob", privateLinkServiceId: account.id, groupIds: ["blob"] }],
  });
  assert.equal(pe.privateLinkServiceConnections[0].privateLinkServiceConnectionState.status, "Approved");
  assert.deepEqual(pe.customDnsConfigs, [{ fqdn: "jsshop.blob.core.windows.net", ipAddresses: ["192.168.2.4"] }]);
  const nicName = pe.networkInterfaces[0].id.split("/").pop();
  const nic = await c.network.networkInterfaces.get("js-pe", nicName);
  assert.equal(nic.privateEndpoint.id.toLowerCase(), pe.id.toLowerCase());

  const group = await c.network.privateDnsZoneGroups.beginCreateOrUpdateAndWait("js-pe", "shop-blob", "default", {
    privateDnsZoneConfigs: [{ name: "blob", privateDnsZoneId: zone.id }],
  });
  assert.deepEqual(
    group.privateDnsZoneConfigs[0].recordSets.map((r) => [r.recordSetName, r.ipAddresses]),
    [["jsshop", ["192.168.2.4"]]],
  );
  await c.rejectsWith(c.network.networkInterfaces.beginDeleteAndWait("js-pe", nicName), "CannotModifyNicAttachedToPrivateEndpoint");
  await c.network.privateEndpoints.beginDeleteAndWait("js-pe", "shop-blob");
  await c.rejectsWith(c.network.networkInterfaces.get("js-pe", nicName), "ResourceNotFound");
  await done();
});

test("a manual private endpoint waits for the account owner's approval", async () => {
  const done = await c.group("js-pec");
  await c.vnet("js-pec");
  const account = await c.resources.resources.beginCreateOrUpdateAndWait(
    "js-pec", "Microsoft.Storage", "", "storageAccounts", "jsask", "2023-01-01",
    { location: c.LOC, kind: "StorageV2", sku: { name: "Standard_LRS" } },
  );
  const pe = await c.network.privateEndpoints.beginCreateOrUpdateAndWait("js-pec", "asker", {
    location: c.LOC,
    subnet: { id: c.subnetId("js-pec", "vnet1", "back") },
    manualPrivateLinkServiceConnections: [{
      name: "blob", privateLinkServiceId: account.id, groupIds: ["blob"], requestMessage: "let me in",
    }],
  });
  assert.equal(pe.manualPrivateLinkServiceConnections[0].privateLinkServiceConnectionState.status, "Pending");
  assert.deepEqual(pe.customDnsConfigs, []);

  // The account lists the connection; its owner approves it by id (generic resources).
  const got = await c.resources.resources.getById(account.id, "2023-01-01");
  const [conn] = got.properties.privateEndpointConnections;
  assert.equal(conn.properties.privateLinkServiceConnectionState.description, "let me in");
  const approve = { properties: { privateLinkServiceConnectionState: { status: "Approved", description: "ok" } } };
  const approved = await c.resources.resources.beginCreateOrUpdateByIdAndWait(conn.id, "2023-01-01", approve);
  assert.equal(approved.properties.privateLinkServiceConnectionState.status, "Approved");
  const after = await c.network.privateEndpoints.get("js-pec", "asker");
  assert.deepEqual(after.customDnsConfigs, [{ fqdn: "jsask.blob.core.windows.net", ipAddresses: ["192.168.2.4"] }]);
  await c.rejectsWith(
    c.resources.resources.beginCreateOrUpdateByIdAndWait(conn.id, "2023-01-01", approve),
    "InvalidValuesForRequestParameters",
  );
  await done();
});
