package cerulean;

import static cerulean.Cerulean.NETWORK;
import static cerulean.Cerulean.RESOURCES;
import static cerulean.Cerulean.expectCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.resourcemanager.network.models.NetworkInterface;
import com.azure.resourcemanager.network.models.NicIpConfiguration;
import com.azure.resourcemanager.resources.fluentcore.arm.models.HasName;
import com.azure.resourcemanager.resources.models.Deployment;
import com.azure.resourcemanager.resources.models.DeploymentMode;
import com.azure.resourcemanager.resources.models.ResourceGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Resource groups, paging across nextLink pages, and a template deployment. */
class ResourcesTest {
  static final List<String> GROUPS = List.of("java-groups", "java-paging", "java-deploy");

  @AfterAll
  static void cleanUp() {
    GROUPS.forEach(Cerulean::deleteGroup);
  }

  @Test
  void resourceGroups() {
    ResourceGroup group =
        RESOURCES
            .resourceGroups()
            .define("java-groups")
            .withRegion(Cerulean.REGION)
            .withTag("env", "dev")
            .create();
    assertEquals("eastus", group.regionName());
    assertEquals("Succeeded", group.provisioningState());
    assertEquals(Map.of("env", "dev"), RESOURCES.resourceGroups().getByName("java-groups").tags());
    assertTrue(RESOURCES.resourceGroups().contain("java-groups"));
    assertFalse(RESOURCES.resourceGroups().contain("java-nope"));
    expectCode("ResourceGroupNotFound", () -> RESOURCES.resourceGroups().getByName("java-nope"));

    group.update().withTag("env", "test").apply();
    assertEquals("test", RESOURCES.resourceGroups().getByName("java-groups").tags().get("env"));
  }

  @Test
  void pagingWalksEveryPage() {
    Cerulean.createGroup("java-paging");
    var network = Cerulean.network("java-paging");
    List<String> want = List.of("p1", "p2", "p3", "p4", "p5");
    want.forEach(n -> Cerulean.nic("java-paging", n, network, "front"));

    // scripts/java-suite runs the server with --page-size 2.
    int pages = 0;
    List<String> seen = new ArrayList<>();
    for (var page : NETWORK.networkInterfaces().list().iterableByPage()) {
      pages++;
      for (NetworkInterface nic : page.getElements()) {
        if (nic.resourceGroupName().equals("java-paging")) {
          seen.add(nic.name());
        }
      }
    }
    assertEquals(want, seen.stream().sorted().collect(Collectors.toList()));
    assertTrue(pages >= 3, "5 NICs with --page-size 2 take at least 3 pages, got " + pages);
    assertEquals(
        want,
        NETWORK.networkInterfaces().listByResourceGroup("java-paging").stream()
            .map(HasName::name)
            .sorted()
            .collect(Collectors.toList()));
    assertTrue(
        RESOURCES.resourceGroups().list().stream().anyMatch(g -> g.name().equals("java-paging")));
  }

  @Test
  void templateDeployment() throws Exception {
    Cerulean.createGroup("java-deploy");
    String template =
        Files.readString(Path.of("../../examples/templates/nic-three-ipconfigs.json"));
    Deployment deployment =
        RESOURCES
            .deployments()
            .define("threeips")
            .withExistingResourceGroup("java-deploy")
            .withTemplate(template)
            .withParameters("{}")
            .withMode(DeploymentMode.INCREMENTAL)
            .create();
    assertEquals("Succeeded", deployment.provisioningState());
    NetworkInterface nic =
        NETWORK.networkInterfaces().getByResourceGroup("java-deploy", "myNic");
    assertEquals(
        List.of("10.0.0.4", "10.0.0.5", "10.0.0.6"),
        nic.ipConfigurations().values().stream()
            .map(NicIpConfiguration::privateIpAddress)
            .sorted()
            .collect(Collectors.toList()));
    assertTrue(
        RESOURCES.deployments().listByResourceGroup("java-deploy").stream()
            .anyMatch(d -> d.name().equals("threeips")));
    assertEquals(1, deployment.outputs() == null ? 0 : ((Map<?, ?>) deployment.outputs()).size());
  }
}
