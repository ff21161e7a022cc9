package io.uniform.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.uniform.guest.GuestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The shipped deploy/ files: the Grafana dashboard is JSON whose every query names only metrics
 * the members export (and uses each family at least once), and promtool accepts the Prometheus
 * scrape configuration.
 */
class DeployFilesTest {
    private static final Path DEPLOY = GuestFiles.directory().getParent().resolve("deploy");
    private static final Pattern METRIC = Pattern.compile("\\buniform_[a-z0-9_]+\\b");

    private static final Set<String> EXPORTED = Arrays.stream(Exposition.Family.values()).map(family -> family.exposedName)
            .collect(Collectors.toCollection(TreeSet::new));

    /** Every query of every panel of the dashboard. */
    private static List<String> queries() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DEPLOY.resolve("grafana-dashboard.json")));
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertFalse(panel.path("targets").isEmpty(), "panel " + panel.path("title") + " has queries");
            panel.path("targets").forEach(target -> queries.add(target.path("expr").asText()));
        }
        return queries;
    }

    @Test
    void theDashboardQueriesOnlyExportedMetricsAndEveryFamily() throws IOException {
        Set<String> used = new TreeSet<>();
        for (String query : queries()) {
            Matcher metric = METRIC.matcher(query);
            boolean any = false;
            while (metric.find()) {
                any = true;
                assertTrue(EXPORTED.contains(metric.group()), metric.group() + " in " + query + " is not exported: " + EXPORTED);
                used.add(metric.group());
            }
            assertTrue(any, "a query without a uniform metric: " + query);
        }
        assertEquals(EXPORTED, used, "every exported family has a panel");
    }

    @Test
    void promtoolAcceptsTheScrapeConfiguration() throws Exception {
        Promtool.require();
        Promtool.Result check = Promtool.checkConfig(DEPLOY.resolve("prometheus.yml"));
        assertEquals(0, check.status(), "promtool check config:\n" + check.output());
    }
}
