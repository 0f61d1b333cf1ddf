package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.runbook.Runbook;

import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The release variables a release starts with (docs/runbook.md): every command carries them and step
 * parameters use them as {@code {{name}}}. Pure: the start time and the calendar's slot come in.
 */
public final class ReleaseVariables {

    private ReleaseVariables() {
    }

    /**
     * @param kind                {@code minor}, {@code patch} or {@code proving}
     * @param previousVersion     the release this one follows ("" if none)
     * @param previousReleaseTime when the previous release was made, ISO-8601 ("" when unknown)
     * @param slot                the calendar's next release slot: a minor is frozen and launched on its dates
     * @param now                 when the release starts: a patch is dated that day (in the calendar's zone)
     */
    public static Map<String, String> of(String version, String kind, String previousVersion, String previousReleaseTime,
                                         ReleaseSchedule.Slot slot, Instant now, String startedBy) {
        LocalDate today = LocalDate.ofInstant(now, slot.zone());
        boolean patch = Runbook.PATCH.equals(kind);
        Map<String, String> v = new LinkedHashMap<>();
        v.put("version", version);
        v.put("previousVersion", previousVersion);
        v.put("kind", kind);
        v.put("releaseBranch", Versions.releaseBranch(version));
        v.put("owner", slot.owner());
        v.put("ownerSlack", slot.ownerSlack());
        v.put("freezeDate", slot.freezeDate().toString());
        v.put("freezeTime", slot.freezeTime().toString());
        // a patch ships when it is made (versions.json, the release post's date); a minor on its calendar day
        v.put("releaseDate", patch ? today.toString() : slot.releaseDate().toString());
        v.put("releaseTime", patch ? now.toString() : slot.releaseTime().toString());
        v.put("startedBy", startedBy);
        v.put("previousReleaseTime", previousReleaseTime);
        // a patch is cut from the tag of the release it patches; a minor from the default branch ("")
        v.put("fromRef", patch && !previousVersion.isEmpty() ? "refs/tags/" + previousVersion : "");
        v.put("today", today.toString());
        return v;
    }
}
