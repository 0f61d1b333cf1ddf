package dev.releasetrain.coordinator.calendar;

import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;

/**
 * Ticks every minute; when {@code release-train.calendar.auto-start.enabled=true}, starts each month's
 * release at its code freeze through {@link MonthlyReleaseStarter} (see {@link AutoStarter}).
 */
@ApplicationScoped
public class AutoStartScheduler {
    @Inject
    CalendarConfig config;
    @Inject
    ReleaseCalendar calendar;
    @Inject
    MonthlyReleaseStarter starter;
    @Inject
    Clock clock;

    private AutoStarter autoStarter;

    @PostConstruct
    void init() {
        autoStarter = new AutoStarter(calendar, starter, clock);
    }

    @Scheduled(identity = "release-train-calendar-auto-start", every = "60s", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (config.autoStart().enabled()) {
            autoStarter.tick();
        }
    }
}
