package dev.graft.service;

import dev.graft.metrics.RunProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The durable run history, in an SQLite file (WAL mode, so the CLI can read while a service writes).
 *
 * <p>One connection a store, opened on first use and shared by every call under this store's lock: SQLite
 * serialises writers anyway, and opening a connection a call let concurrent HTTP readers of /runs stall for good
 * inside sqlite-jdbc's native open (four keep-alive clients were enough). Other processes (the CLI's {@code graft
 * runs}) open their own store on the same file.
 */
public final class RunStore implements AutoCloseable {

    private final String url;
    private Connection connection;
    private volatile Function<String, Optional<RunProgress>> progress = id -> Optional.empty();

    /** Opens (creating when absent) the store at the given file. */
    public RunStore(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create the folder of run store " + file + ": " + e.getMessage(), e);
        }
        this.url = "jdbc:sqlite:" + file.toAbsolutePath();
        try (Statement s = connect().createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS runs (
                      id TEXT PRIMARY KEY, route TEXT NOT NULL, trigger TEXT NOT NULL, input_file TEXT,
                      input_sha256 TEXT, status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
                      verdict TEXT, verdict_reason TEXT, accuracy REAL, model TEXT, version INTEGER, error TEXT,
                      steps TEXT)""");
            List<String> columns = new ArrayList<>();
            try (ResultSet cols = s.executeQuery("PRAGMA table_info(runs)")) {
                while (cols.next()) {
                    columns.add(cols.getString("name"));
                }
            }
            // a history written before duplicates, or validate-data's checks, were recorded
            for (String column : List.of("duplicate_of", "data_checks")) {
                if (!columns.contains(column)) {
                    s.execute("ALTER TABLE runs ADD COLUMN " + column + " TEXT");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open run store " + file + ": " + e.getMessage(), e);
        }
    }

    /** The store's connection, opened when first needed (again after {@link #close}); callers hold the lock. */
    private Connection connect() throws SQLException {
        if (connection == null || connection.isClosed()) {
            Connection c = DriverManager.getConnection(url);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout=10000");
            }
            connection = c;
        }
        return connection;
    }

    /** Closes the shared connection; a later call opens it again. */
    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // closing: nothing left to do with it
            }
            connection = null;
        }
    }

    /** Records a run that has started. */
    public void started(RunRecord r) {
        update("INSERT INTO runs (id, route, trigger, input_file, input_sha256, status, started_at) VALUES (?,?,?,?,?,?,?)",
                r.id(), r.route(), r.trigger(), r.inputFile(), r.inputSha256(), r.status(), r.startedAt());
    }

    /** Records how a run ended. */
    public void finished(RunRecord r) {
        update("UPDATE runs SET status=?, finished_at=?, verdict=?, verdict_reason=?, accuracy=?, model=?, version=?, "
                        + "error=?, steps=?, duplicate_of=?, data_checks=? WHERE id=?",
                r.status(), r.finishedAt(), r.verdict(), r.verdictReason(), r.accuracy(), r.model(), r.version(),
                r.error(), r.stepsJson(), r.duplicateOf(), r.dataChecksJson(), r.id());
    }

    /** The earliest succeeded run of a route on a drop with this SHA-256, other than {@code exceptRun}. */
    public Optional<RunRecord> succeededWith(String route, String sha256, String exceptRun) {
        return query("SELECT * FROM runs WHERE route=? AND input_sha256=? AND status='succeeded' AND id<>? "
                + "ORDER BY started_at, id LIMIT 1", route, sha256, exceptRun).stream().findFirst();
    }

    /** How many runs of a route on a drop with this SHA-256 the process died in (status interrupted). */
    public int interruptedWith(String route, String sha256) {
        return query("SELECT * FROM runs WHERE route=? AND input_sha256=? AND status='interrupted'", route, sha256).size();
    }

    /** Marks runs left 'running' by a process that died as 'interrupted'; returns how many. */
    public int markInterrupted(String now) {
        return update("UPDATE runs SET status='interrupted', finished_at=?, error='the process ended during the run' "
                + "WHERE status='running'", now);
    }

    /** The newest runs first. */
    public List<RunRecord> list(int limit) {
        return query("SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT ?", limit);
    }

    /** The newest runs whose route, status and trigger equal those given (null: any), newest first. */
    public List<RunRecord> list(int limit, String route, String status, String trigger) {
        return query("SELECT * FROM runs WHERE (?1 IS NULL OR route=?1) AND (?2 IS NULL OR status=?2) "
                + "AND (?3 IS NULL OR trigger=?3) ORDER BY started_at DESC, id DESC LIMIT ?4", route, status, trigger, limit);
    }

    public Optional<RunRecord> get(String id) {
        return query("SELECT * FROM runs WHERE id=?", id).stream().findFirst();
    }

    /** Where running runs stand: a record read while its status is running carries it; by default none. */
    public void setProgress(Function<String, Optional<RunProgress>> source) {
        this.progress = source;
    }

    private synchronized int update(String sql, Object... args) {
        try (PreparedStatement p = connect().prepareStatement(sql)) {
            bind(p, args);
            return p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("run store " + url + ": " + e.getMessage(), e);
        }
    }

    private synchronized List<RunRecord> query(String sql, Object... args) {
        try (PreparedStatement p = connect().prepareStatement(sql)) {
            bind(p, args);
            List<RunRecord> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    double accuracy = rs.getDouble("accuracy");
                    Double acc = rs.wasNull() ? null : accuracy;
                    int version = rs.getInt("version");
                    Integer ver = rs.wasNull() ? null : version;
                    out.add(new RunRecord(rs.getString("id"), rs.getString("route"), rs.getString("trigger"),
                            rs.getString("input_file"), rs.getString("input_sha256"), rs.getString("status"),
                            rs.getString("started_at"), rs.getString("finished_at"), rs.getString("verdict"),
                            rs.getString("verdict_reason"), acc, rs.getString("model"), ver, rs.getString("error"),
                            rs.getString("steps"), rs.getString("duplicate_of"), rs.getString("data_checks"),
                            running(rs)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("run store " + url + ": " + e.getMessage(), e);
        }
    }

    private RunProgress running(ResultSet rs) throws SQLException {
        return "running".equals(rs.getString("status")) ? progress.apply(rs.getString("id")).orElse(null) : null;
    }

    private static void bind(PreparedStatement p, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                p.setNull(i + 1, Types.NULL);
            } else {
                p.setObject(i + 1, args[i]);
            }
        }
    }
}
