package dev.releasetrain.git;

import org.eclipse.jgit.diff.DiffAlgorithm;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.EditList;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A file's change as a unified diff ({@code --- a/path}, {@code +++ b/path}, hunks with three lines of context),
 * the way {@code git diff} prints it. The plan shows the changes a step would make with it, and a test compares
 * them with the diffs of the commits a real run made: both come from here.
 */
final class UnifiedDiff {
    private UnifiedDiff() {
    }

    /** The diff of one file from {@code before} to {@code after}; empty when they are equal. */
    static String of(String path, String before, String after) {
        if (before.equals(after)) {
            return "";
        }
        RawText a = new RawText(before.getBytes(StandardCharsets.UTF_8));
        RawText b = new RawText(after.getBytes(StandardCharsets.UTF_8));
        EditList edits = DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.HISTOGRAM)
                .diff(RawTextComparator.DEFAULT, a, b);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DiffFormatter f = new DiffFormatter(out)) {
            f.format(edits, a, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "--- a/" + path + "\n+++ b/" + path + "\n" + out.toString(StandardCharsets.UTF_8);
    }

    /** The diffs of every file {@code after} changes from {@code before} (path to diff), in path order. */
    static Map<String, String> files(Map<String, String> before, Map<String, String> after) {
        Map<String, String> out = new LinkedHashMap<>();
        after.forEach((path, content) -> {
            String diff = of(path, before.getOrDefault(path, ""), content);
            if (!diff.isEmpty()) {
                out.put(path, diff);
            }
        });
        return out;
    }

    /** The diffs a commit made to its first parent (path to diff): what a real run committed. */
    static Map<String, String> ofCommit(Workspace ws, ObjectId commit) {
        RevCommit c = ws.commit(commit);
        RevCommit parent = ws.commit(c.getParent(0));
        Map<String, String> out = new LinkedHashMap<>();
        for (String path : changedPaths(ws, parent, c)) {
            out.put(path, of(path, ws.read(parent, path).orElse(""), ws.read(c, path).orElse("")));
        }
        return out;
    }

    private static List<String> changedPaths(Workspace ws, RevCommit from, RevCommit to) {
        List<String> paths = new ArrayList<>();
        try (RevWalk walk = new RevWalk(ws.repo()); TreeWalk tw = new TreeWalk(ws.repo())) {
            tw.addTree(walk.parseCommit(from).getTree());
            tw.addTree(walk.parseCommit(to).getTree());
            tw.setRecursive(true);
            tw.setFilter(TreeFilter.ANY_DIFF);
            while (tw.next()) {
                paths.add(tw.getPathString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return paths;
    }
}
