package dev.releasetrain.protocol;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SemVerTest {

    @Test
    void parsesMajorMinorPatchAndPrintsItBack() {
        SemVer v = SemVer.parse("1.29.0");
        assertEquals(new SemVer(1, 29, 0), v);
        assertEquals("1.29.0", v.toString());
        assertEquals("0.0.0", SemVer.parse("0.0.0").toString());
        assertEquals("999999999.0.1", SemVer.parse("999999999.0.1").toString());
    }

    @Test
    void refusesWhatIsNotAVersionNamingTheText() {
        for (String bad : List.of("1.29", "1.29.0.1", "v1.29.0", "01.2.3", "1.02.3", "1.2.03", "1.2.3-rc.1", "1.2.x",
                " 1.2.3", "", "1234567890.0.0")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SemVer.parse(bad), bad);
            assertEquals("'" + bad + "' is not a version MAJOR.MINOR.PATCH (e.g. 1.29.0)", e.getMessage());
            assertFalse(SemVer.isValid(bad), bad);
        }
        assertFalse(SemVer.isValid(null));
        assertEquals(Optional.empty(), SemVer.tryParse(null));
        assertThrows(IllegalArgumentException.class, () -> new SemVer(-1, 0, 0));
    }

    @Test
    void comparesNumericallyPartByPart() {
        assertTrue(SemVer.parse("1.9.0").compareTo(SemVer.parse("1.28.3")) < 0, "9 < 28, not as text");
        assertTrue(SemVer.parse("29.0.11").compareTo(SemVer.parse("29.0.9")) > 0);
        assertTrue(SemVer.parse("2.0.0").compareTo(SemVer.parse("1.99.99")) > 0);
        assertEquals(0, SemVer.parse("1.2.3").compareTo(new SemVer(1, 2, 3)));
        assertEquals(List.of("1.2.0", "1.9.0", "1.10.0", "2.0.0"),
                List.of("2.0.0", "1.10.0", "1.2.0", "1.9.0").stream().sorted(SemVer.ORDER).toList());
        assertThrows(IllegalArgumentException.class, () -> SemVer.ORDER.compare("1.2.3", "latest"));
    }

    @Test
    void nextVersionsResetTheLowerParts() {
        SemVer v = SemVer.parse("1.28.3");
        assertEquals("1.29.0", v.nextMinor().toString());
        assertEquals("1.28.4", v.nextPatch().toString());
        assertEquals("2.0.0", v.nextMajor().toString());
        assertEquals("2.0.0", v.bump(SemVer.Part.MAJOR).toString());
        assertEquals("1.29.0", v.bump(SemVer.Part.of("minor")).toString());
        assertEquals("1.28.4", v.bump(SemVer.Part.of(" Patch ")).toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SemVer.Part.of("micro"));
        assertEquals("'micro' is not a version part (major, minor or patch)", e.getMessage());
        assertTrue(v.sameSeries(SemVer.parse("1.28.0")));
        assertFalse(v.sameSeries(SemVer.parse("1.29.3")));
    }

    @Test
    void aStableVersionMayCarryAVPrefixAndBuildMetadataButNoPreRelease() {
        assertEquals(Optional.of(new SemVer(29, 0, 11)), SemVer.tryParseStable("v29.0.11"));
        assertEquals(Optional.of(new SemVer(29, 0, 11)), SemVer.tryParseStable("29.0.11+build.7"));
        assertEquals(Optional.of(new SemVer(29, 0, 11)), SemVer.tryParseStable("29.0.11"));
        assertEquals(Optional.empty(), SemVer.tryParseStable("29.0.12-rc.1"));
        assertEquals(Optional.empty(), SemVer.tryParseStable("latest"));
        assertEquals(Optional.empty(), SemVer.tryParseStable(null));
    }
}
