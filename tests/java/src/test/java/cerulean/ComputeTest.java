package cerulean;

import static cerulean.Cerulean.COMPUTE;
import static cerulean.Cerulean.NETWORK;
import static cerulean.Cerulean.REGION;
import static cerulean.Cerulean.expectCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.management.SubResource;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineUpdateInner;
import com.azure.resourcemanager.compute.models.AvailabilitySet;
import com.azure.resourcemanager.compute.models.AvailabilitySetSkuTypes;
import com.azure.resourcemanager.compute.models.HardwareProfile;
import com.azure.resourcemanager.compute.models.KnownLinuxVirtualMachineImage;
import com.azure.resourcemanager.compute.models.NetworkInterfaceReference;
import com.azure.resourcemanager.compute.models.PowerState;
import com.azure.resourcemanager.compute.models.RunCommandResult;
import com.azure.resourcemanager.compute.models.VirtualMachine;
import com.azure.resourcemanager.compute.models.VirtualMachineSizeTypes;
import com.azure.resourcemanager.network.fluent.models.EffectiveRouteListResultInner;
import com.azure.resourcemanager.network.models.Network;
import com.azure.resourcemanager.network.models.NetworkInterface;
import com.azure.resourcemanager.network.models.RouteNextHopType;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The seed's walk-through with the fluent API (create with two NICs, add and remove NICs while
 * deallocated, resize, power operations, run command, delete) and the seed's refusals with
 * Azure's codes; what the fluent API cannot express (removing the primary, a PATCH) goes
 * through the service client, as Java users do.
 */
class ComputeTest {
  static final String G = "java-vm";

  @AfterAll
  static void cleanUp() {
    Cerulean.deleteGroup(G);
  }

  static VirtualMachine.DefinitionStages.WithLinuxCreateManagedOrUnmanaged linuxVm(
      String name, NetworkInterface primary) {
    return COMPUTE
        .virtualMachines()
        .define(name)
        .withRegion(REGION)
        .withExistingResourceGroup(G)
        .withExistingPrimaryNetworkInterface(primary)
        .withPopularLinuxImage(KnownLinuxVirtualMachineImage.UBUNTU_SERVER_20_04_LTS)
        .withRootUsername("azureuser")
        .withRootPassword("S3cret!pass-1234");
  }

  static List<String> nicNames(VirtualMachine vm) {
    return vm.networkInterfaceIds().stream()
        .map(id -> id.substring(id.lastIndexOf('/') + 1))
        .collect(Collectors.toList());
  }

  static String primaryName(VirtualMachine vm) {
    String id = vm.primaryNetworkInterfaceId();
    return id.substring(id.lastIndexOf('/') + 1);
  }

  @Test
  void vmWithTwoNics() {
    Cerulean.createGroup(G);
    Network network = Cerulean.network(G);
    NetworkInterface nic1 = Cerulean.nic(G, "nic1", network, "front");
    NetworkInterface nic2 = Cerulean.nic(G, "nic2", network, "back");
    NetworkInterface nic3 = Cerulean.nic(G, "nic3", network, "back");

    VirtualMachine vm =
        linuxVm("vm1", nic1)
            .withExistingSecondaryNetworkInterface(nic2)
            .withNewAvailabilitySet("set1")
            .withSize(VirtualMachineSizeTypes.STANDARD_DS3_V2)
            .create();
    assertEquals(List.of("nic1", "nic2"), nicNames(vm));
    assertEquals("nic1", primaryName(vm));
    assertNull(vm.osProfile().adminPassword(), "the password never comes back");
    assertEquals(PowerState.RUNNING, vm.powerState());
    AvailabilitySet set1 = COMPUTE.availabilitySets().getByResourceGroup(G, "set1");
    assertTrue(vm.availabilitySetId().equalsIgnoreCase(set1.id()));
    assertTrue(set1.virtualMachineIds().stream().anyMatch(id -> id.equalsIgnoreCase(vm.id())));

    // Running: a NIC cannot be added.
    expectCode(
        "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported",
        () -> vm.update().withExistingSecondaryNetworkInterface(nic3).apply());
    vm.refresh();

    // Deallocate, then add the third NIC (the fluent update GETs, appends, PUTs the VM).
    vm.deallocate();
    assertEquals(PowerState.DEALLOCATED, vm.powerState());
    vm.update().withExistingSecondaryNetworkInterface(nic3).apply();
    assertEquals(List.of("nic1", "nic2", "nic3"), nicNames(vm));

    // A VM joins an availability set only at creation.
    AvailabilitySet set2 =
        COMPUTE
            .availabilitySets()
            .define("set2")
            .withRegion(REGION)
            .withExistingResourceGroup(G)
            .withSku(AvailabilitySetSkuTypes.ALIGNED)
            .create();
    VirtualMachineInner moved = COMPUTE.serviceClient().getVirtualMachines().getByResourceGroup(G, "vm1");
    moved.withAvailabilitySet(new SubResource().withId(set2.id()));
    expectCode(
        "PropertyChangeNotAllowed",
        () -> COMPUTE.serviceClient().getVirtualMachines().createOrUpdate(G, "vm1", moved));

    // The size's limit (a fluent PUT), then a resize by PATCH to a size that takes three.
    expectCode(
        "NetworkInterfaceCountExceeded",
        () -> vm.update().withSize(VirtualMachineSizeTypes.STANDARD_B1S).apply());
    VirtualMachineInner resized =
        COMPUTE
            .serviceClient()
            .getVirtualMachines()
            .update(
                G,
                "vm1",
                new VirtualMachineUpdateInner()
                    .withHardwareProfile(
                        new HardwareProfile().withVmSize(VirtualMachineSizeTypes.STANDARD_DS4_V2)));
    assertEquals(VirtualMachineSizeTypes.STANDARD_DS4_V2, resized.hardwareProfile().vmSize());

    // Remove the primary without flagging another: the NIC attached longest (nic2) takes over.
    VirtualMachineInner inner = COMPUTE.serviceClient().getVirtualMachines().getByResourceGroup(G, "vm1");
    List<NetworkInterfaceReference> keep =
        inner.networkProfile().networkInterfaces().stream()
            .filter(n -> !n.id().endsWith("/nic1"))
            .map(n -> new NetworkInterfaceReference().withId(n.id()))
            .collect(Collectors.toList());
    inner.networkProfile().withNetworkInterfaces(keep);
    COMPUTE.serviceClient().getVirtualMachines().createOrUpdate(G, "vm1", inner);
    vm.refresh();
    assertEquals("nic2", primaryName(vm));
    assertTrue(NETWORK.networkInterfaces().getById(nic2.id()).innerModel().primary());
    assertNull(NETWORK.networkInterfaces().getById(nic1.id()).virtualMachineId());

    // A secondary NIC removed the fluent way; the last one stays.
    vm.update().withoutSecondaryNetworkInterface("nic3").apply();
    assertEquals(List.of("nic2"), nicNames(vm));
    VirtualMachineInner bare = COMPUTE.serviceClient().getVirtualMachines().getByResourceGroup(G, "vm1");
    bare.networkProfile().withNetworkInterfaces(List.of());
    expectCode(
        "VirtualMachineMustHaveAtLeastOneNetworkInterface",
        () -> COMPUTE.serviceClient().getVirtualMachines().createOrUpdate(G, "vm1", bare));

    // Start, restart, power off, start again.
    vm.start();
    assertEquals(PowerState.RUNNING, vm.powerState());
    assertTrue(NETWORK.networkInterfaces().getById(nic2.id()).macAddress().startsWith("00-0D-3A-"));
    vm.restart();
    vm.powerOff();
    // Unlike deallocate and start, the SDK's powerOff does not refresh the instance view.
    assertEquals(PowerState.RUNNING, vm.powerState());
    vm.refreshInstanceView();
    assertEquals(PowerState.STOPPED, vm.powerState());
    vm.start();

    // runCommand: inside the guest only the primary NIC has the default route.
    RunCommandResult out = vm.runShellScript(List.of("ip route show"), List.of());
    String message = out.value().get(0).message();
    assertTrue(message.contains("default via 192.168.2.1 dev eth0"), message);

    // effectiveRouteTable: a Network POST whose result comes from Location.
    EffectiveRouteListResultInner routes =
        NETWORK.serviceClient().getNetworkInterfaces().getEffectiveRouteTable(G, "nic2");
    assertTrue(
        routes.value().stream()
            .anyMatch(
                r ->
                    r.nextHopType() == RouteNextHopType.VNET_LOCAL
                        && r.addressPrefix().equals(List.of("192.168.0.0/16"))),
        "no VnetLocal route for the network");

    // Deleting the VM keeps its NICs; another VM may use them, a third may not.
    COMPUTE.virtualMachines().deleteById(vm.id());
    expectCode("ResourceNotFound", () -> COMPUTE.virtualMachines().getById(vm.id()));
    assertNull(NETWORK.networkInterfaces().getById(nic2.id()).virtualMachineId());
    VirtualMachine vm2 =
        linuxVm("vm2", NETWORK.networkInterfaces().getById(nic2.id()))
            .withExistingSecondaryNetworkInterface(nic3)
            .withSize(VirtualMachineSizeTypes.STANDARD_DS3_V2)
            .create();
    assertEquals(List.of("nic2", "nic3"), nicNames(vm2));
    expectCode(
        "NicInUse",
        () -> linuxVm("vm3", nic2).withSize(VirtualMachineSizeTypes.STANDARD_DS3_V2).create());
    expectCode("NicInUse", () -> NETWORK.networkInterfaces().deleteById(nic2.id()));
    assertTrue(COMPUTE.virtualMachines().list().stream().anyMatch(v -> v.name().equals("vm2")));
  }
}
