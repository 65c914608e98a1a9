// The seed's VM walk-through through @azure/arm-compute 24 (the modular client): every
// Compute LRO (PUT, PATCH, DELETE, start, powerOff, restart, deallocate, runCommand) and
// the seed's refusals with Azure's codes.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const c = require("./common.cjs");

const G = "js-vm";

test("a VM with two NICs through the seed's rules", async () => {
  const done = await c.group(G);
  await c.vnet(G);
  const nic1 = await c.nic(G, "nic1", "front");
  const nic2 = await c.nic(G, "nic2", "back");
  const nic3 = await c.nic(G, "nic3", "back");
  const vms = c.compute.virtualMachines;

  // A VM with two NICs, the first primary.
  let vm = await vms.createOrUpdate(G, "vm1", c.vmBody([nic1, nic2]));
  assert.deepEqual(vm.networkProfile.networkInterfaces.map((n) => n.primary), [true, false]);
  assert.equal(vm.osProfile.adminPassword, undefined, "the password never comes back");
  assert.equal(c.powerState(await vms.instanceView(G, "vm1")), "PowerState/running");

  // Running: a NIC cannot be added.
  await c.rejectsWith(
    vms.createOrUpdate(G, "vm1", c.vmBody([nic1, nic2, nic3])),
    "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported",
  );

  // Deallocate, then add the third NIC the way az does: GET, append, PUT the whole VM.
  await vms.deallocate(G, "vm1");
  assert.equal(c.powerState(await vms.instanceView(G, "vm1")), "PowerState/deallocated");
  vm = await vms.get(G, "vm1");
  vm.networkProfile.networkInterfaces.push({ id: nic3.id, primary: false });
  vm = await vms.createOrUpdate(G, "vm1", vm);
  assert.equal(vm.networkProfile.networkInterfaces.length, 3);

  // The size limit: three NICs do not fit a Standard_B1s (two at most).
  await c.rejectsWith(
    vms.update(G, "vm1", { hardwareProfile: { vmSize: "Standard_B1s" } }),
    "NetworkInterfaceCountExceeded",
  );
  // Resize (PATCH, final state from Location) to a size that takes them.
  vm = await vms.update(G, "vm1", { hardwareProfile: { vmSize: "Standard_DS4_v2" } });
  assert.equal(vm.hardwareProfile.vmSize, "Standard_DS4_v2");
  assert.equal((await vms.get(G, "vm1")).hardwareProfile.vmSize, "Standard_DS4_v2");

  // Remove the primary without flagging another: the NIC attached longest (nic2) takes over.
  vm = await vms.get(G, "vm1");
  vm.networkProfile.networkInterfaces = vm.networkProfile.networkInterfaces
    .filter((n) => !n.id.endsWith("/nic1"))
    .map((n) => ({ id: n.id }));
  vm = await vms.createOrUpdate(G, "vm1", vm);
  const primary = vm.networkProfile.networkInterfaces.filter((n) => n.primary).map((n) => n.id);
  assert.equal(primary.length, 1);
  assert.match(primary[0], /\/nic2$/);
  assert.equal((await c.network.networkInterfaces.get(G, "nic2")).primary, true);

  // Start, restart, power off, start again: each action's Location ends in 200.
  await vms.start(G, "vm1");
  vm = await vms.get(G, "vm1", { expand: "instanceView" });
  assert.equal(c.powerState(vm.instanceView), "PowerState/running");
  assert.match((await c.network.networkInterfaces.get(G, "nic2")).macAddress, /^00-0D-3A-/);
  await vms.restart(G, "vm1");
  assert.equal(c.powerState(await vms.instanceView(G, "vm1")), "PowerState/running");
  await vms.powerOff(G, "vm1");
  assert.equal(c.powerState(await vms.instanceView(G, "vm1")), "PowerState/stopped");
  await vms.start(G, "vm1");

  // runCommand: the result is the body of the final Location GET.
  const out = await vms.runCommand(G, "vm1", { commandId: "RunShellScript", script: ["ip route show"] });
  assert.match(out.value[0].message, /default via 192\.168\.2\.1 dev eth0/);

  // effectiveRouteTable (a Network POST whose result comes from Location).
  const routes = await c.network.networkInterfaces.beginGetEffectiveRouteTableAndWait(G, "nic2");
  const local = routes.value.find((r) => r.nextHopType === "VnetLocal");
  assert.deepEqual(local.addressPrefix, ["192.168.0.0/16"]);

  // Deleting the VM keeps its NICs; another VM may use them, a third may not.
  await vms.delete(G, "vm1");
  await c.rejectsWith(vms.get(G, "vm1"), "ResourceNotFound");
  assert.equal((await c.network.networkInterfaces.get(G, "nic2")).virtualMachine, undefined);
  const vm2 = await vms.createOrUpdate(G, "vm2", c.vmBody([nic2, nic3]));
  assert.equal(vm2.networkProfile.networkInterfaces.length, 2);
  await c.rejectsWith(vms.createOrUpdate(G, "vm3", c.vmBody([nic2])), "NicInUse");
  await c.rejectsWith(c.network.networkInterfaces.beginDeleteAndWait(G, "nic2"), "NicInUse");

  const listed = [];
  for await (const v of vms.listAll()) listed.push(v.name);
  assert.ok(listed.includes("vm2"), listed.join(","));

  // A group delete takes the VM and its NICs along.
  await done();
  await c.rejectsWith(c.network.networkInterfaces.get(G, "nic2"), "ResourceGroupNotFound");
});
