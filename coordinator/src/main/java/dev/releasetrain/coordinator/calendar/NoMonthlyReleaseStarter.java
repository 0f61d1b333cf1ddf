package dev.releasetrain.coordinator.calendar;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Until the coordinator provides a real {@link MonthlyReleaseStarter}: logs that nothing was started. */
@ApplicationScoped
@DefaultBean
public class NoMonthlyReleaseStarter implements MonthlyReleaseStarter {
    private static final Logger LOG = Logger.getLogger(NoMonthlyReleaseStarter.class);

    @Override
    public void startMonthlyRelease(ReleaseCalendar.Month month) {
        LOG.warnf("code freeze of %s: no monthly release starter is installed, nothing started", month.yearMonth());
    }
}
