package dev.releasetrain.launcher.bench;

import dev.releasetrain.launcher.ServiceProcess;
import dev.releasetrain.launcher.Stack;
import dev.releasetrain.local.LocalInfra;
import dev.releasetrain.sandbox.Sandbox;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Phase 4, idle cost and memory: the CPU of the coordinator and PostgreSQL over a window with no release running
 * (after the load, so the coordinator's JIT has settled), then the RSS of every process, the four services
 * included.
 */
final class IdlePhase {

    /** CPU over the window (percent of a core) and memory (MB). */
    record Idle(double coordinatorPct, double postgresPct, int postgresProcesses, double selfPct, double vacuumMs,
                double coordinatorRss, double postgresRss, double postgresPss, double selfRss, Map<String, Double> services) {
        double idlePct() {
            return coordinatorPct + (Double.isNaN(postgresPct) ? 0 : postgresPct);
        }

        double servicesRss() {
            return services.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        double stackRss() {
            return coordinatorRss + postgresPss + selfRss + servicesRss();
        }

        void report(Report r) {
            r.row("idle CPU, coordinator (relay included) + PostgreSQL", Report.fmt(idlePct()) + " % of a core");
            r.row("  coordinator JVM; PostgreSQL (" + postgresProcesses + " processes)",
                    Report.fmt(coordinatorPct) + " %; " + Report.fmt(postgresPct) + " %");
            r.row("  bench JVM (embedded Kafka broker; bench clients stopped), not counted", Report.fmt(selfPct) + " %");
            r.row("  before the window: the maintenance the load left due (VACUUM ANALYZE, else autovacuum's within a minute)",
                    Report.fmt(vacuumMs) + " ms");
            r.summary("idle_cpu_pct", idlePct());
            r.row("RSS: coordinator; PostgreSQL (sum over " + postgresProcesses + " processes; PSS); bench JVM (Kafka broker + bench clients)",
                    Report.fmt(coordinatorRss) + "; " + Report.fmt(postgresRss) + " (" + Report.fmt(postgresPss) + "); "
                            + Report.fmt(selfRss) + " MB");
            StringBuilder each = new StringBuilder();
            services.forEach((name, mb) -> each.append(each.length() == 0 ? "" : "; ").append(Report.fmt(mb)));
            r.row("RSS of the services once ready: " + String.join("; ", services.keySet()), each + " MB");
            r.row("stack memory (coordinator + PostgreSQL PSS + bench JVM + the 4 services)", Report.fmt(stackRss()) + " MB");
            r.summary("stack_rss_mb", stackRss());
        }
    }

    private IdlePhase() {
    }

    static Idle run(BenchStack stack, Sizes sizes, Report report) throws Exception {
        report.say("[4/5] idle cost: CPU over %d s with no release running; RSS of every process", sizes.idleSeconds());
        Thread.sleep(2_000); // let the last offsets flush and the consumers go quiet before measuring idle
        // The load left PostgreSQL maintenance due (tens of thousands of inserted rows): autovacuum would run
        // it within its one-minute nap, in the window, and count the load's cost as idle. Done first instead.
        long v0 = System.nanoTime();
        LocalInfra infra = stack.infra();
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUsername(), infra.dbPassword());
             Statement st = c.createStatement()) {
            st.execute("vacuum (analyze)");
        }
        double vacuumMs = Report.ms(System.nanoTime() - v0);
        long coordPid = stack.coordinator().pid();
        List<Long> pgPids = ProcStats.postgresPids(stack.postgresDataDir());
        long self = ProcessHandle.current().pid();
        long coord0 = ProcStats.cpuTicks(List.of(coordPid));
        long pg0 = ProcStats.postgresCpuTicks(stack.postgresDataDir());
        long self0 = ProcStats.cpuTicks(List.of(self));
        long w0 = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(sizes.idleSeconds())); // the measurement window itself
        double wall = (System.nanoTime() - w0) / 1e9;
        double coordPct = ProcStats.pct(ProcStats.cpuTicks(List.of(coordPid)) - coord0, wall);
        double pgPct = pgPids.isEmpty() ? Double.NaN : ProcStats.pct(ProcStats.postgresCpuTicks(stack.postgresDataDir()) - pg0, wall);
        double selfPct = ProcStats.pct(ProcStats.cpuTicks(List.of(self)) - self0, wall);
        double coordRss = ProcStats.rssMb(List.of(coordPid));
        double pgRss = ProcStats.rssMb(pgPids);
        double pgPss = ProcStats.pssMb(pgPids);
        double selfRss = ProcStats.rssMb(List.of(self)); // before the sandbox starts in this JVM
        report.say("  idle CPU %s %% (coordinator %s %%, PostgreSQL %s %%); starting the four services to measure them",
                Report.fmt(coordPct + (Double.isNaN(pgPct) ? 0 : pgPct)), Report.fmt(coordPct), Report.fmt(pgPct));
        Idle idle = new Idle(coordPct, pgPct, pgPids.size(), selfPct, vacuumMs, coordRss, pgRss, pgPss, selfRss, servicesRss(stack));
        report.say("  RSS %s MB (the services %s MB)", Report.fmt(idle.stackRss()), Report.fmt(idle.servicesRss()));
        return idle;
    }

    /**
     * The services are not on the measured path (the no-op workers in this JVM stand in for them): they are
     * started here only to weigh them, as {@code ./release-train up} starts them (against the sandbox's
     * stand-ins, which start in this JVM), their RSS read once each is ready, and stopped before the next
     * phase. They join their topics at the end ({@code auto.offset.reset=latest}): the bench's commands and
     * events are not theirs to handle.
     */
    private static Map<String, Double> servicesRss(BenchStack stack) throws Exception {
        Map<String, String> common = new LinkedHashMap<>();
        common.put("kafka.bootstrap.servers", stack.bootstrap());
        common.put("quarkus.log.console.format", Stack.LOG_FORMAT);
        try (Sandbox sandbox = Sandbox.start(stack.runDir().resolve("sandbox"))) {
            List<ServiceProcess> services = Stack.services(Stack.home(), stack.runDir(), sandbox, common, stack.coordinator().url(),
                    stack.runDir().resolve("logs"), true);
            try {
                for (ServiceProcess p : services) {
                    p.start();
                }
                for (ServiceProcess p : services) {
                    p.awaitReady(Duration.ofSeconds(180));
                }
                Map<String, Double> rss = new LinkedHashMap<>();
                for (ServiceProcess p : services) {
                    rss.put(p.name, ProcStats.rssMb(List.of(p.pid())));
                }
                return rss;
            } finally {
                for (ServiceProcess p : services) {
                    p.close();
                }
            }
        }
    }
}
