package dev.releasetrain.coordinator.release;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VersionsTest {
    final List<String> known = List.of("1.27.0", "1.28.0", "1.28.3", "1.9.0");

    @Test
    void theNextMinorFollowsTheNewestReleaseNumerically() {
        assertEquals("1.28.3", Versions.newest(known).orElseThrow(), "1.9.0 is older than 1.28.3");
        assertEquals("1.29.0", Versions.nextMinor("1.28.3"));
        assertEquals("release-1.29.0", Versions.releaseBranch("1.29.0"));
        assertEquals("release-1.28.4", Versions.releaseBranch("1.28.4"), "a patch has its own branch (cut from its previous tag)");
        assertEquals(Optional.of("1.28.3"), Versions.previous("1.29.0", known));
    }

    @Test
    void versionsNotGreaterThanTheReleasedOnesAreRefusedWithTheReason() {
        assertEquals(Optional.empty(), Versions.refusal("1.29.0", "minor", known));
        assertEquals(Optional.of("1.28.0 is not greater than 1.28.3, the newest release"), Versions.refusal("1.28.0", "minor", known));
        assertTrue(Versions.refusal("1.29.1", "minor", known).orElseThrow().contains("a minor release ends in .0"));
        assertEquals(Optional.empty(), Versions.refusal("1.28.4", "patch", known));
        assertEquals(Optional.of("1.28.2 is not greater than 1.28.3, already released"), Versions.refusal("1.28.2", "patch", known));
        assertEquals(Optional.of("no release of 1.30 exists to patch"), Versions.refusal("1.30.1", "patch", known));
        assertEquals(Optional.empty(), Versions.refusal("1.27.1", "patch", known), "an older minor can be patched");
    }

    @Test
    void aPatchNeedsACompletedReleaseOfItsSeriesAndFollowsEveryReleaseOfIt() {
        List<String> releases = List.of("1.28.3", "1.29.0", "1.29.1", "1.30.0");  // 1.29.1 was cancelled, 1.30.0 runs
        List<String> released = List.of("1.28.3", "1.29.0");
        assertEquals(Optional.of("no release of 1.30 has completed yet to patch (1.30.0 has not)"),
                Versions.refusal("1.30.1", "patch", releases, released));
        assertEquals(Optional.of("1.29.1 is not greater than 1.29.1, already released"), Versions.refusal("1.29.1", "patch", releases, released));
        assertEquals(Optional.empty(), Versions.refusal("1.29.2", "patch", releases, released));
        assertEquals(Optional.of("1.29.0"), Versions.previous("1.29.2", "patch", released), "the last completed release of its line");
        assertEquals(Optional.of("1.29.0"), Versions.previous("1.31.0", "minor", released), "not the running 1.30.0");
        assertEquals(Optional.empty(), Versions.previous("1.31.1", "patch", released), "nothing of 1.31 was released");
    }

    @Test
    void theNextVersionCountsFromTheReleasesAndPassesOverVersionsInUse() {
        List<String> releases = List.of("1.28.3", "1.29.0", "1.29.1");
        List<String> released = List.of("1.28.3", "1.29.0");
        assertEquals(Optional.of("1.30.0"), Versions.next("minor", releases, released, v -> false));
        assertEquals(Optional.of("1.31.0"), Versions.next("minor", releases, released, "1.30.0"::equals), "a proving run holds 1.30.0");
        assertEquals(Optional.of("1.29.2"), Versions.next("patch", releases, released, v -> false), "after the cancelled 1.29.1");
        assertEquals(Optional.of("1.28.4"), Versions.next("patch", releases, List.of("1.28.3"), v -> false),
                "the series of the newest released version");
        assertEquals(Optional.empty(), Versions.next("patch", releases, List.of(), v -> false));
    }
}
