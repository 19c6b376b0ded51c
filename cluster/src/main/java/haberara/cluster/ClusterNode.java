package haberara.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * One node of a local OpenSearch cluster on loopback, run as its own process so that a test
 * can kill it like a lost machine.
 *
 * <p>Usage: {@code ClusterNode INDEX COUNT HTTP_BASE TRANSPORT_BASE DIR}. Node {@code INDEX}
 * of {@code COUNT} listens for HTTP on {@code HTTP_BASE + INDEX} and for its peers on
 * {@code TRANSPORT_BASE + INDEX}, and keeps its data under {@code DIR/node-INDEX}.
 */
public final class ClusterNode {

    /** A node built with plugins taken from the class path, as OpenSearch's own test nodes are. */
    static final class PluginNode extends Node {
        PluginNode(Settings settings, Collection<Class<? extends Plugin>> plugins) {
            super(
                InternalSettingsPreparer.prepareEnvironment(settings, java.util.Map.of(), null, () -> "node"),
                plugins,
                true
            );
        }
    }

    private ClusterNode() {}

    /** The settings of node {@code index} in a cluster of {@code count} nodes. */
    static Settings settings(int index, int count, int httpBase, int transportBase, Path dir) {
        List<String> seeds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            seeds.add("127.0.0.1:" + (transportBase + i));
            names.add("node-" + i);
        }
        Path home = dir.resolve("node-" + index);
        return Settings.builder()
            .put("cluster.name", "haberara-local")
            .put("node.name", "node-" + index)
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", httpBase + index)
            .put("transport.port", transportBase + index)
            .putList("discovery.seed_hosts", seeds)
            .putList("cluster.initial_cluster_manager_nodes", names)
            // The nodes share one disk with everything else on the machine.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("node.processors", 1)
            .build();
    }

    public static void main(String[] args) throws Exception {
        int index = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        int httpBase = Integer.parseInt(args[2]);
        int transportBase = Integer.parseInt(args[3]);
        Path dir = Path.of(args[4]).toAbsolutePath();
        Files.createDirectories(dir.resolve("node-" + index).resolve("config"));

        Node node = new PluginNode(
            settings(index, count, httpBase, transportBase, dir),
            List.of(Netty4Plugin.class, CommonAnalysisPlugin.class)
        );
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
            }
        }));
        node.start();
        System.out.println("node-" + index + " http 127.0.0.1:" + (httpBase + index));
        System.out.flush();
        closed.await();
    }
}
