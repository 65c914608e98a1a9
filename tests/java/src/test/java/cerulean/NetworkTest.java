package cerulean;

import static cerulean.Cerulean.NETWORK;
import static cerulean.Cerulean.REGION;
import static cerulean.Cerulean.expectCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.resourcemanager.network.fluent.models.NetworkInterfaceIpConfigurationInner;
import com.azure.resourcemanager.network.models.IpAllocationMethod;
import com.azure.resourcemanager.network.models.LoadBalancer;
import com.azure.resourcemanager.network.models.LoadBalancerBackend;
import com.azure.resourcemanager.network.models.LoadBalancerPrivateFrontend;
import com.azure.resourcemanager.network.models.LoadBalancerSkuType;
import com.azure.resourcemanager.network.models.Network;
import com.azure.resourcemanager.network.models.NetworkInterface;
import com.azure.resourcemanager.network.models.NicIpConfiguration;
import com.azure.resourcemanager.network.models.PublicIPSkuType;
import com.azure.resourcemanager.network.models.PublicIpAddress;
import com.azure.resourcemanager.network.models.TransportProtocol;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The seed's NIC with several IP configurations, a public IP, and the refusals. */
class NetworkTest {
  static final String G = "java-nic";
  static final String LB_GROUP = "java-lb";

  @AfterAll
  static void cleanUp() {
    Cerulean.deleteGroup(G);
    Cerulean.deleteGroup(LB_GROUP);
  }

  static Map<String, String> addresses(NetworkInterface nic) {
    return nic.ipConfigurations().values().stream()
        .collect(
            Collectors.toMap(
                NicIpConfiguration::name,
                NicIpConfiguration::privateIpAddress,
                (a, b) -> a,
                TreeMap::new));
  }

  @Test
  void nicWithThreeIpConfigurations() {
    Cerulean.createGroup(G);
    Network network = Cerulean.network(G);
    assertEquals(List.of("192.168.0.0/16"), network.addressSpaces());
    PublicIpAddress pip =
        NETWORK
            .publicIpAddresses()
            .define("pip1")
            .withRegion(REGION)
            .withExistingResourceGroup(G)
            .withStaticIP()
            .withSku(PublicIPSkuType.STANDARD)
            .create();
    assertNotNull(pip.ipAddress(), "a Static public IP has its address at once");

    NetworkInterface nic =
        NETWORK
            .networkInterfaces()
            .define("nic1")
            .withRegion(REGION)
            .withExistingResourceGroup(G)
            .withExistingPrimaryNetwork(network)
            .withSubnet("front")
            .withPrimaryPrivateIPAddressDynamic()
            .withExistingPrimaryPublicIPAddress(pip)
            .defineSecondaryIPConfiguration("c2")
            .withExistingNetwork(network)
            .withSubnet("front")
            .withPrivateIpAddressStatic("192.168.1.10")
            .attach()
            .create();
    assertEquals(Map.of("c2", "192.168.1.10", "primary", "192.168.1.4"), addresses(nic));
    assertEquals("192.168.1.4", nic.primaryPrivateIP());
    assertEquals(pip.id(), nic.primaryIPConfiguration().publicIpAddressId());
    assertTrue(nic.primaryIPConfiguration().isPrimary());
    pip.refresh();
    assertTrue(pip.hasAssignedNetworkInterface());
    assertTrue(pip.getAssignedNetworkInterfaceIPConfiguration().name().equals("primary"));

    // A third configuration, dynamic, added to the existing NIC: GET, then PUT the whole NIC.
    nic =
        nic.update()
            .defineSecondaryIPConfiguration("c3")
            .withExistingNetwork(network)
            .withSubnet("front")
            .withPrivateIpAddressDynamic()
            .attach()
            .apply();
    assertEquals(
        Map.of("c2", "192.168.1.10", "c3", "192.168.1.5", "primary", "192.168.1.4"),
        addresses(nic));

    // The IP configurations' own operations (get, list across pages).
    NetworkInterfaceIpConfigurationInner c2 =
        NETWORK.serviceClient().getNetworkInterfaceIpConfigurations().get(G, "nic1", "c2");
    assertEquals("192.168.1.10", c2.privateIpAddress());
    assertEquals(IpAllocationMethod.STATIC, c2.privateIpAllocationMethod());
    assertEquals(
        List.of("c2", "c3", "primary"),
        NETWORK.serviceClient().getNetworkInterfaceIpConfigurations().list(G, "nic1").stream()
            .map(NetworkInterfaceIpConfigurationInner::name)
            .sorted()
            .collect(Collectors.toList()));

    // The static address is taken.
    expectCode(
        "PrivateIPAddressInUse",
        () ->
            NETWORK
                .networkInterfaces()
                .define("nic2")
                .withRegion(REGION)
                .withExistingResourceGroup(G)
                .withExistingPrimaryNetwork(network)
                .withSubnet("front")
                .withPrimaryPrivateIPAddressStatic("192.168.1.10")
                .create());

    // Removing a configuration frees its address for the next NIC.
    nic = nic.update().withoutIPConfiguration("c3").apply();
    assertEquals(Map.of("c2", "192.168.1.10", "primary", "192.168.1.4"), addresses(nic));
    NetworkInterface nic3 = Cerulean.nic(G, "nic3", network, "front");
    assertEquals("192.168.1.5", nic3.primaryPrivateIP());

    // Deletes: the public IP is in use until its NIC is gone.
    expectCode(
        "PublicIPAddressCannotBeDeleted", () -> NETWORK.publicIpAddresses().deleteById(pip.id()));
    NETWORK.networkInterfaces().deleteById(nic.id());
    NETWORK.publicIpAddresses().deleteById(pip.id());
    expectCode(
        "ResourceNotFound", () -> NETWORK.networkInterfaces().getByResourceGroup(G, "nic1"));
  }

  @Test
  void secondaryIpConfigurationJoinsABackendPool() {
    Cerulean.createGroup(LB_GROUP);
    Network network = Cerulean.network(LB_GROUP);
    LoadBalancer lb =
        NETWORK
            .loadBalancers()
            .define("lb1")
            .withRegion(REGION)
            .withExistingResourceGroup(LB_GROUP)
            .defineLoadBalancingRule("http")
            .withProtocol(TransportProtocol.TCP)
            .fromExistingSubnet(network, "front")
            .fromFrontendPort(80)
            .toBackend("pool1")
            .toBackendPort(80)
            .attach()
            .withSku(LoadBalancerSkuType.STANDARD)
            .create();
    LoadBalancerPrivateFrontend frontend = lb.privateFrontends().values().iterator().next();
    assertEquals("192.168.1.4", frontend.privateIpAddress());
    assertTrue(lb.backends().containsKey("pool1"));
    assertEquals(1, lb.loadBalancingRules().size());

    NetworkInterface nic =
        Cerulean.nic(LB_GROUP, "nic1", network, "front")
            .update()
            .defineSecondaryIPConfiguration("web")
            .withExistingNetwork(network)
            .withSubnet("front")
            .withPrivateIpAddressDynamic()
            .withExistingLoadBalancerBackend(lb, "pool1")
            .attach()
            .apply();
    assertEquals(Map.of("primary", "192.168.1.5", "web", "192.168.1.6"), addresses(nic));
    lb.refresh();
    Set<String> members = lb.backends().get("pool1").backendNicIPConfigurationNames().keySet();
    assertEquals(Set.of(nic.id()), members);
    assertEquals(
        "web", lb.backends().get("pool1").backendNicIPConfigurationNames().get(nic.id()));
    assertEquals(
        List.of("pool1"),
        nic.ipConfigurations().get("web").listAssociatedLoadBalancerBackends().stream()
            .map(LoadBalancerBackend::name)
            .collect(Collectors.toList()));
    assertTrue(nic.primaryIPConfiguration().listAssociatedLoadBalancerBackends().isEmpty());
  }
}
