package io.zerodown.core.source;

import io.zerodown.api.UnreadableInputException;
import io.zerodown.core.source.MigrationFile.Kind;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The standard {@link MigrationScanner}.
 *
 * <h2>Inputs</h2>
 * Inputs are handled in the order given and their results concatenated. A regular file is always taken, whatever
 * its name or extension. A folder is walked recursively (symbolic links followed, loops ignored) for files ending
 * in {@code .sql} (any case); a file reached twice (a folder and a file inside it) is kept at its first place only.
 *
 * <h2>Reading a file name</h2>
 * <ol>
 *   <li>{@code down.sql} and {@code *.down.sql}: skipped when found in a folder.</li>
 *   <li>{@code up.sql} in a folder whose name starts with a digit: {@link Kind#DIESEL}; version = folder name up to
 *       the first {@code _}, description = the rest, id = the folder name; a sibling {@code metadata.toml} with
 *       {@code run_in_transaction = false} makes the unit non-transactional.</li>
 *   <li>{@code V<version>__<desc>.sql}, {@code B<version>__<desc>.sql} (prefixes case-sensitive, as Flyway's
 *       defaults; {@code __<desc>} may be left out): {@link Kind#FLYWAY_VERSIONED}, id {@code V<version>} or
 *       {@code B<version>}. A version is digit groups separated by {@code .} or {@code _} ({@code _} reads as
 *       {@code .}); anything else is not a Flyway name. {@code U<version>__} undo scripts are skipped in folders.
 *       {@code R__<desc>.sql}: {@link Kind#FLYWAY_REPEATABLE}, id = the file name without {@code .sql}.
 *       Description: underscores become spaces. A sibling {@code <script>.sql.conf} with
 *       {@code executeInTransaction=false} makes the unit non-transactional.</li>
 *   <li>{@code [V]<number><sep><name>.up.sql} (authelia {@code V0001.Name.up.sql}, golang-migrate
 *       {@code 0001_name.up.sql}): {@link Kind#NUMBERED_UP}, version = the number.</li>
 *   <li>Anything else: {@link Kind#PLAIN}, id = the file name.</li>
 * </ol>
 * A file whose first non-blank line is {@code --liquibase formatted sql} becomes {@link Kind#LIQUIBASE} (one unit per
 * changeset, see {@link LiquibaseFormattedSqlReader}) but keeps the place its name gives it.
 *
 * <h2>Order within one folder</h2>
 * <ol>
 *   <li>Flyway versioned files by version, numerically part by part ({@code 2 < 10}, {@code 1.9 < 1.10},
 *       {@code 1.0 == 1}); at one version {@code V} before {@code B}. Two {@code V} (or two {@code B}) files with
 *       equal versions are an error.</li>
 *   <li>All other ordered kinds together, by a key in natural order (digit runs compared as numbers, so
 *       {@code 2_x.sql < 10_x.sql}): Diesel = the folder name with the dashes of its version removed and the
 *       version compared as text, as Diesel does (so {@code 2019-03-14-121314_a} and {@code 20190314121315_b}
 *       interleave, and {@code 2025-11-19-091444-0000_a} comes before {@code 2026-05-27-120000_b}); numbered
 *       up-files = the file name without its {@code V} (so by number); plain files = the file name. Mixing kinds
 *       in one folder is unusual; they then interleave by these keys.</li>
 *   <li>Flyway repeatable files by description; two with the same description are an error.</li>
 * </ol>
 * Ties are broken by the path relative to the folder, so the order never depends on the file system.
 *
 * <h2>Each file</h2>
 * Read once, decoded as strict UTF-8 (a leading byte order mark removed). Non-Liquibase files give one unit with
 * the whole text and {@code firstLine} 1. The checksum is Flyway's ({@link FlywayChecksum}). The display path is
 * relative to the working directory when the file is under it, else absolute, with {@code /} separators.
 */
public final class DefaultMigrationScanner implements MigrationScanner {

    private static final int GROUP_VERSIONED = 0;
    private static final int GROUP_OTHER = 1;
    private static final int GROUP_REPEATABLE = 2;
    private static final int DIESEL_KEY_WIDTH = 32;

    private static final Comparator<Candidate> ORDER = Comparator
            .comparingInt(Candidate::group)
            .thenComparing(DefaultMigrationScanner::compareWithinGroup)
            .thenComparing(Candidate::relative);

    private final Path workingDirectory;

    public DefaultMigrationScanner() {
        this(Path.of("").toAbsolutePath());
    }

    /** @param workingDirectory display paths are made relative to this folder */
    DefaultMigrationScanner(Path workingDirectory) {
        this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
    }

    @Override
    public List<MigrationFile> scan(List<Path> inputs) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        List<MigrationFile> result = new ArrayList<>();
        Set<Path> taken = new HashSet<>();
        for (Path input : inputs) {
            Path path = input.toAbsolutePath().normalize();
            if (Files.isDirectory(path)) {
                for (Found found : scanFolder(path)) {
                    if (taken.add(found.candidate().path())) {
                        result.add(load(found.candidate(), found.sidecarExists(), decoder));
                    }
                }
            } else if (Files.isRegularFile(path)) {
                Candidate candidate = classify(path, path.getFileName().toString(), true);
                if (taken.add(path)) {
                    boolean sidecar = candidate.sidecar() != null && Files.isRegularFile(candidate.sidecar());
                    result.add(load(candidate, sidecar, decoder));
                }
            } else if (Files.exists(path)) {
                throw new UnreadableInputException(display(path), 0,
                        "not a regular file or folder — pass a .sql file or a folder of migrations");
            } else {
                throw new UnreadableInputException(display(path), 0, "no such file or folder (working directory "
                        + workingDirectory + ") — check the path");
            }
        }
        return List.copyOf(result);
    }

    // ---------------------------------------------------------------------------------------------------------
    // folders

    private record Found(Candidate candidate, boolean sidecarExists) {
    }

    private List<Found> scanFolder(Path folder) {
        List<Path> sqlFiles = new ArrayList<>();
        Set<Path> allFiles = new HashSet<>();
        try {
            Files.walkFileTree(folder, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            if (attrs.isRegularFile()) {
                                allFiles.add(file);
                                if (endsWithIgnoreCase(file.getFileName().toString(), ".sql")) {
                                    sqlFiles.add(file);
                                }
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                            if (exc instanceof FileSystemLoopException) {
                                return FileVisitResult.CONTINUE;
                            }
                            throw exc;
                        }
                    });
        } catch (IOException e) {
            Path where = e instanceof java.nio.file.FileSystemException fse && fse.getFile() != null
                    ? Path.of(fse.getFile()) : folder;
            throw new UnreadableInputException(display(where), 0, "cannot read folder: " + reason(e)
                    + " — check that it exists and is readable", e);
        }
        String shown = folderDisplay(folder);
        if (sqlFiles.isEmpty()) {
            throw new UnreadableInputException(shown, 0, "no .sql files found under " + shown
                    + " — pass a folder of migrations or .sql files");
        }

        List<Candidate> candidates = new ArrayList<>(sqlFiles.size());
        for (Path file : sqlFiles) {
            Candidate c = classify(file, slashes(folder.relativize(file).toString()), false);
            if (c != null) {
                candidates.add(c);
            }
        }
        if (candidates.isEmpty()) {
            throw new UnreadableInputException(shown, 0, "only down/undo scripts found under " + shown
                    + " — pass the folder (or files) holding the up migrations");
        }
        candidates.sort(ORDER);
        checkDuplicates(candidates);

        List<Found> found = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) {
            found.add(new Found(c, c.sidecar() != null && allFiles.contains(c.sidecar())));
        }
        return found;
    }

    private void checkDuplicates(List<Candidate> sorted) {
        for (int i = 1; i < sorted.size(); i++) {
            Candidate a = sorted.get(i - 1);
            Candidate b = sorted.get(i);
            if (a.group() != b.group()) {
                continue;
            }
            if (a.group() == GROUP_VERSIONED && a.prefix() == b.prefix() && a.flywayVersion().equals(b.flywayVersion())) {
                throw new UnreadableInputException(display(b.path()), 0, "duplicate Flyway version "
                        + b.flywayVersion() + ": " + display(a.path()) + " and " + display(b.path())
                        + " — give each versioned migration its own version");
            }
            if (a.group() == GROUP_REPEATABLE && a.description().equals(b.description())) {
                throw new UnreadableInputException(display(b.path()), 0, "duplicate Flyway repeatable migration \""
                        + b.description() + "\": " + display(a.path()) + " and " + display(b.path())
                        + " — give each repeatable migration its own description");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // names

    /**
     * @param path      absolute file path
     * @param relative  path relative to the folder input (tie-breaker), or the file name for an explicit file
     * @param explicit  the file was named directly: never skipped, names that would be skipped read as plain
     * @return the candidate, or null when a folder's file is to be skipped
     */
    private static Candidate classify(Path path, String relative, boolean explicit) {
        String name = path.getFileName().toString();
        if (!endsWithIgnoreCase(name, ".sql")) {
            return plain(path, name, relative);
        }
        if (name.equalsIgnoreCase("down.sql") || endsWithIgnoreCase(name, ".down.sql")) {
            return explicit ? plain(path, name, relative) : null;
        }
        String base = name.substring(0, name.length() - 4);

        Path parent = path.getParent();
        if (name.equalsIgnoreCase("up.sql") && parent != null && parent.getFileName() != null) {
            String folder = parent.getFileName().toString();
            if (!folder.isEmpty() && isDigit(folder.charAt(0))) {
                int us = folder.indexOf('_');
                String version = us < 0 ? folder : folder.substring(0, us);
                String description = us < 0 ? "" : folder.substring(us + 1);
                String key = dieselKey(version) + (us < 0 ? "" : folder.substring(us));
                return new Candidate(path, Kind.DIESEL, GROUP_OTHER, null, ' ', version, description, folder, key,
                        relative, parent.resolve("metadata.toml"));
            }
        }

        char first = base.isEmpty() ? ' ' : base.charAt(0);
        if (first == 'R' && base.startsWith("R__")) {
            String description = base.substring(3).replace('_', ' ');
            return new Candidate(path, Kind.FLYWAY_REPEATABLE, GROUP_REPEATABLE, null, 'R', null, description, base,
                    description, relative, path.resolveSibling(name + ".conf"));
        }
        if (first == 'V' || first == 'B' || first == 'U') {
            String rest = base.substring(1);
            int sep = rest.indexOf("__");
            FlywayVersion version = FlywayVersion.parse(sep < 0 ? rest : rest.substring(0, sep));
            if (version != null) {
                if (first == 'U') {
                    return explicit ? plain(path, name, relative) : null;
                }
                String description = sep < 0 ? "" : rest.substring(sep + 2).replace('_', ' ');
                return new Candidate(path, Kind.FLYWAY_VERSIONED, GROUP_VERSIONED, version, first, version.text(),
                        description, first + version.text(), null, relative, path.resolveSibling(name + ".conf"));
            }
        }

        if (endsWithIgnoreCase(name, ".up.sql")) {
            String stem = name.substring(0, name.length() - 7);
            int start = !stem.isEmpty() && (stem.charAt(0) == 'V' || stem.charAt(0) == 'v') ? 1 : 0;
            int end = start;
            while (end < stem.length() && isDigit(stem.charAt(end))) {
                end++;
            }
            if (end > start && (end == stem.length() || ".-_".indexOf(stem.charAt(end)) >= 0)) {
                String description = end == stem.length() ? "" : stem.substring(end + 1);
                return new Candidate(path, Kind.NUMBERED_UP, GROUP_OTHER, null, ' ', stem.substring(start, end),
                        description, name, name.substring(start), relative, null);
            }
        }
        return plain(path, name, relative);
    }

    /**
     * Diesel orders migrations by their version (the folder name up to the first {@code _}, dashes removed) as
     * text, so {@code 2025-11-19-091444-0000} (18 digits) comes before {@code 2026-05-27-120000} (14 digits). A
     * version of digits only is right-padded with zeros so that the natural order used for this group gives the
     * same result; its length follows so that a shorter version still comes first on a tie ({@code 1 < 10}).
     */
    private static String dieselKey(String version) {
        String digits = version.replace("-", "");
        boolean allDigits = !digits.isEmpty() && digits.chars().allMatch(ch -> ch >= '0' && ch <= '9');
        if (!allDigits || digits.length() > DIESEL_KEY_WIDTH) {
            return digits;
        }
        return digits + "0".repeat(DIESEL_KEY_WIDTH - digits.length()) + "." + digits.length();
    }

    private static Candidate plain(Path path, String name, String relative) {
        return new Candidate(path, Kind.PLAIN, GROUP_OTHER, null, ' ', null, "", name, name, relative, null);
    }

    /**
     * A file with what its name says.
     *
     * @param group         0 Flyway versioned, 1 other ordered kinds, 2 Flyway repeatable
     * @param flywayVersion the parsed version, versioned files only
     * @param prefix        V or B for versioned files
     * @param sortKey       natural-order key for group 1, description for group 2
     * @param sidecar       the Flyway {@code .conf} or Diesel {@code metadata.toml} that may exist, or null
     */
    private record Candidate(Path path, Kind kind, int group, FlywayVersion flywayVersion, char prefix,
                             String version, String description, String id, String sortKey, String relative,
                             Path sidecar) {
    }

    private static int compareWithinGroup(Candidate a, Candidate b) {
        switch (a.group()) {
            case GROUP_VERSIONED: {
                int c = a.flywayVersion().compareTo(b.flywayVersion());
                if (c != 0) {
                    return c;
                }
                return Integer.compare(a.prefix() == 'V' ? 0 : 1, b.prefix() == 'V' ? 0 : 1);
            }
            case GROUP_REPEATABLE:
                return a.sortKey().compareTo(b.sortKey());
            default: {
                int c = compareNatural(a.sortKey(), b.sortKey());
                return c != 0 ? c : a.kind().compareTo(b.kind());
            }
        }
    }

    /**
     * Compares with digit runs read as numbers ({@code 2 < 10}); equal numbers with different leading zeros and
     * all other characters compare as in {@link String#compareTo}.
     */
    static int compareNatural(String a, String b) {
        int n = a.length();
        int m = b.length();
        int i = 0;
        int j = 0;
        while (i < n && j < m) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (isDigit(ca) && isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < n && isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < m && isDigit(b.charAt(j))) {
                    j++;
                }
                while (si < i - 1 && a.charAt(si) == '0') {
                    si++;
                }
                while (sj < j - 1 && b.charAt(sj) == '0') {
                    sj++;
                }
                int la = i - si;
                int lb = j - sj;
                if (la != lb) {
                    return la < lb ? -1 : 1;
                }
                for (int k = 0; k < la; k++) {
                    char da = a.charAt(si + k);
                    char db = b.charAt(sj + k);
                    if (da != db) {
                        return da < db ? -1 : 1;
                    }
                }
            } else {
                if (ca != cb) {
                    return ca < cb ? -1 : 1;
                }
                i++;
                j++;
            }
        }
        int remaining = Integer.compare(n - i, m - j);
        return remaining != 0 ? remaining : a.compareTo(b);
    }

    // ---------------------------------------------------------------------------------------------------------
    // reading

    private MigrationFile load(Candidate c, boolean sidecarExists, CharsetDecoder decoder) {
        Path path = c.path();
        String file = display(path);
        byte[] bytes = readBytes(path, file);
        String text = decode(bytes, file, decoder);
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        int checksum = FlywayChecksum.of(bytes);

        if (LiquibaseFormattedSqlReader.isFormattedSql(text)) {
            List<LiquibaseFormattedSqlReader.Changeset> changesets = LiquibaseFormattedSqlReader.read(file, text);
            List<MigrationUnit> units = new ArrayList<>(changesets.size());
            for (LiquibaseFormattedSqlReader.Changeset cs : changesets) {
                units.add(new MigrationUnit(path, file, cs.unitId(), cs.text(), cs.firstLine(), cs.runInTransaction()));
            }
            return new MigrationFile(path, file, Kind.LIQUIBASE, c.version(), c.description(), checksum,
                    List.copyOf(units));
        }

        Boolean runInTransaction = null;
        if (sidecarExists) {
            runInTransaction = c.kind() == Kind.DIESEL
                    ? readSetting(c.sidecar(), decoder, "run_in_transaction", '#')
                    : readSetting(c.sidecar(), decoder, "executeInTransaction", '#');
        }
        MigrationUnit unit = new MigrationUnit(path, file, c.id(), text, 1, runInTransaction);
        return new MigrationFile(path, file, c.kind(), c.version(), c.description(), checksum, List.of(unit));
    }

    /**
     * Reads {@code key = false} from a Flyway {@code .conf} (properties) or Diesel {@code metadata.toml} file.
     *
     * @return false when the file sets the key to false, else null
     */
    private Boolean readSetting(Path sidecar, CharsetDecoder decoder, String key, char commentStart) {
        String shown = display(sidecar);
        String text = decode(readBytes(sidecar, shown), shown, decoder);
        Boolean result = null;
        for (String line : LiquibaseFormattedSqlReader.lines(text)) {
            String s = line.strip();
            if (s.isEmpty() || s.charAt(0) == commentStart || s.charAt(0) == '!') {
                continue;
            }
            int comment = s.indexOf(commentStart);
            if (comment > 0) {
                s = s.substring(0, comment).strip();
            }
            int eq = s.indexOf('=');
            if (eq > 0 && s.substring(0, eq).strip().equalsIgnoreCase(key)) {
                String value = s.substring(eq + 1).strip();
                if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
                    value = value.substring(1, value.length() - 1);
                }
                result = value.equalsIgnoreCase("false") ? Boolean.FALSE : null;
            }
        }
        return result;
    }

    private static byte[] readBytes(Path path, String shown) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UnreadableInputException(shown, 0, "cannot read file: " + reason(e)
                    + " — check that it exists and is readable", e);
        }
    }

    private static String decode(byte[] bytes, String shown, CharsetDecoder decoder) {
        decoder.reset();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            throw new UnreadableInputException(shown, lineAt(bytes, offset), String.format(Locale.ROOT,
                    "not valid UTF-8 (byte 0x%02X at offset %d) — save the file as UTF-8",
                    offset < bytes.length ? bytes[offset] & 0xFF : 0, offset));
        }
        out.flip();
        return out.toString();
    }

    private static int lineAt(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < bytes.length; i++) {
            if (bytes[i] == '\n' || (bytes[i] == '\r' && (i + 1 >= bytes.length || bytes[i + 1] != '\n'))) {
                line++;
            }
        }
        return line;
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    // ---------------------------------------------------------------------------------------------------------
    // display

    /** Relative to the working directory when under it, else absolute; {@code /} separators. */
    String display(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        Path shown = abs.startsWith(workingDirectory) ? workingDirectory.relativize(abs) : abs;
        String s = slashes(shown.toString());
        return s.isEmpty() ? "." : s;
    }

    private String folderDisplay(Path folder) {
        String s = display(folder);
        return s.endsWith("/") ? s : s + "/";
    }

    private static String slashes(String s) {
        return File.separatorChar == '/' ? s : s.replace(File.separatorChar, '/');
    }

    private static boolean endsWithIgnoreCase(String s, String suffix) {
        return s.regionMatches(true, s.length() - suffix.length(), suffix, 0, suffix.length());
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
