package cerulean;

import static cerulean.Cerulean.NETWORK;
import static cerulean.Cerulean.REGION;
import static cerulean.Cerulean.RESOURCES;
import static cerulean.Cerulean.expectCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.resourcemanager.network.fluent.models.PrivateDnsZoneGroupInner;
import com.azure.resourcemanager.network.fluent.models.PrivateEndpointInner;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import com.azure.resourcemanager.network.models.Network;
import com.azure.resourcemanager.network.models.PrivateDnsZoneConfig;
import com.azure.resourcemanager.network.models.PrivateLinkServiceConnection;
import com.azure.resourcemanager.network.models.RecordSet;
import com.azure.resourcemanager.resources.fluent.models.GenericResourceInner;
import com.azure.resourcemanager.resources.models.GenericResource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A private endpoint to a storage account (a generic resource through the resources manager):
 * its NIC takes the subnet's first address, a DNS zone group writes the account's record, the
 * NIC refuses a client's delete, and the endpoint's delete takes the NIC.
 */
class PrivateEndpointTest {
  static final String G = "java-pe";
  static final String ASKING = "java-pec";

  @AfterAll
  static void cleanUp() {
    Cerulean.deleteGroup(G);
    Cerulean.deleteGroup(ASKING);
  }

  static GenericResource generic(String namespace, String type, String name, String api, String region) {
    return generic(G, namespace, type, name, api, region);
  }

  static GenericResource generic(
      String g, String namespace, String type, String name, String api, String region) {
    return RESOURCES
        .genericResources()
        .define(name)
        .withRegion(region)
        .withExistingResourceGroup(g)
        .withResourceType(type)
        .withProviderNamespace(namespace)
        .withoutPlan()
        .withApiVersion(api)
        .create();
  }

  @Test
  void endpointZoneGroupAndNic() {
    Cerulean.createGroup(G);
    Network network = Cerulean.network(G);
    GenericResource account =
        generic("Microsoft.Storage", "storageAccounts", "javashop", "2023-01-01", REGION.name());
    GenericResource zone =
        generic(
            "Microsoft.Network", "privateDnsZones", "privatelink.blob.core.windows.net", "2024-06-01", "global");

    PrivateEndpointInner pe =
        NETWORK
            .serviceClient()
            .getPrivateEndpoints()
            .createOrUpdate(
                G,
                "shop-blob",
                new PrivateEndpointInner()
                    .withLocation(REGION.name())
                    .withSubnet(new SubnetInner().withId(network.subnets().get("back").id()))
                    .withPrivateLinkServiceConnections(
                        List.of(
                            new PrivateLinkServiceConnection()
                                .withName("blob")
                                .withPrivateLinkServiceId(account.id())
                                .withGroupIds(List.of("blob")))));
    assertEquals(
        "Approved",
        pe.privateLinkServiceConnections().get(0).privateLinkServiceConnectionState().status());
    assertEquals("javashop.blob.core.windows.net", pe.customDnsConfigs().get(0).fqdn());
    assertEquals(List.of("192.168.2.4"), pe.customDnsConfigs().get(0).ipAddresses());
    String nicId = pe.networkInterfaces().get(0).id();
    assertTrue(
        NETWORK.networkInterfaces().getById(nicId).innerModel().privateEndpoint().id().equalsIgnoreCase(pe.id()));

    PrivateDnsZoneGroupInner group =
        NETWORK
            .serviceClient()
            .getPrivateDnsZoneGroups()
            .createOrUpdate(
                G,
                "shop-blob",
                "default",
                new PrivateDnsZoneGroupInner()
                    .withPrivateDnsZoneConfigs(
                        List.of(new PrivateDnsZoneConfig().withName("blob").withPrivateDnsZoneId(zone.id()))));
    RecordSet record = group.privateDnsZoneConfigs().get(0).recordSets().get(0);
    assertEquals("javashop", record.recordSetName());
    assertEquals(List.of("192.168.2.4"), record.ipAddresses());

    expectCode(
        "CannotModifyNicAttachedToPrivateEndpoint",
        () -> NETWORK.networkInterfaces().deleteById(nicId));
    NETWORK.serviceClient().getPrivateEndpoints().delete(G, "shop-blob");
    expectCode("ResourceNotFound", () -> NETWORK.networkInterfaces().getById(nicId));
  }

  /**
   * A manual endpoint waits Pending; the account lists its connection, and the account's owner
   * approves it by id through the resources manager: the endpoint then shows the account's name,
   * and a second approval is refused as Azure Storage refuses it.
   */
  @Test
  @SuppressWarnings("unchecked")
  void manualEndpointApprovedByTheAccountsOwner() {
    Cerulean.createGroup(ASKING);
    Network network = Cerulean.network(ASKING);
    GenericResource account =
        generic(ASKING, "Microsoft.Storage", "storageAccounts", "javaask", "2023-01-01", REGION.name());
    PrivateEndpointInner pe =
        NETWORK
            .serviceClient()
            .getPrivateEndpoints()
            .createOrUpdate(
                ASKING,
                "asker",
                new PrivateEndpointInner()
                    .withLocation(REGION.name())
                    .withSubnet(new SubnetInner().withId(network.subnets().get("back").id()))
                    .withManualPrivateLinkServiceConnections(
                        List.of(
                            new PrivateLinkServiceConnection()
                                .withName("blob")
                                .withPrivateLinkServiceId(account.id())
                                .withGroupIds(List.of("blob"))
                                .withRequestMessage("let me in"))));
    assertEquals(
        "Pending",
        pe.manualPrivateLinkServiceConnections().get(0).privateLinkServiceConnectionState().status());
    assertTrue(pe.customDnsConfigs().isEmpty());

    Map<String, Object> props =
        (Map<String, Object>) RESOURCES.genericResources().getById(account.id(), "2023-01-01").properties();
    List<Map<String, Object>> conns = (List<Map<String, Object>>) props.get("privateEndpointConnections");
    assertEquals(1, conns.size());
    String connId = (String) conns.get(0).get("id");
    GenericResourceInner approve =
        new GenericResourceInner()
            .withProperties(
                Map.of(
                    "privateLinkServiceConnectionState",
                    Map.of("status", "Approved", "description", "ok")));
    var resources = RESOURCES.genericResources().manager().serviceClient().getResources();
    resources.createOrUpdateById(connId, "2023-01-01", approve);
    PrivateEndpointInner after = NETWORK.serviceClient().getPrivateEndpoints().getByResourceGroup(ASKING, "asker");
    assertEquals("javaask.blob.core.windows.net", after.customDnsConfigs().get(0).fqdn());
    expectCode(
        "InvalidValuesForRequestParameters",
        () -> resources.createOrUpdateById(connId, "2023-01-01", approve));
  }
}
