package org.creditgraph;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

/**
 * A Neo4j Community server for this project: the DBMS with its Bolt connector, configured by a neo4j.conf that
 * graph/local_neo4j.py writes (Bolt on 127.0.0.1 only, authentication on, memory sizes). Usage:
 * {@code LocalNeo4j HOME_DIR CONF_FILE}; the password of user neo4j comes from CREDITGRAPH_NEO4J_PASSWORD and
 * is set on the first start only (while the default password still has to be changed).
 *
 * <p>SIGTERM (or Ctrl-C) shuts the DBMS down cleanly: the shutdown hook checkpoints and closes the store, so a
 * stop loses nothing; committed transactions are already in the fsynced transaction log before that.
 */
public final class LocalNeo4j {
    private LocalNeo4j() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: LocalNeo4j HOME_DIR CONF_FILE");
            System.exit(2);
        }
        String password = System.getenv("CREDITGRAPH_NEO4J_PASSWORD");
        if (password == null || password.length() < 8) {
            System.err.println("CREDITGRAPH_NEO4J_PASSWORD must be set (8 characters or more)");
            System.exit(2);
        }
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(Path.of(args[0]))
                .loadPropertiesFromFile(Path.of(args[1]))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));
        setInitialPassword(dbms.database("system"), password);
        // The manager waits for this line (and for Bolt to answer) before it reports the server as started.
        System.out.println("creditgraph-neo4j: ready");
        System.out.flush();
        new CountDownLatch(1).await();
    }

    /** Like `neo4j-admin dbms set-initial-password`: only while the built-in user still has to change it. */
    private static void setInitialPassword(GraphDatabaseService system, String password) {
        boolean changeRequired = system.executeTransactionally(
                "SHOW USERS YIELD user, passwordChangeRequired WHERE user = 'neo4j' RETURN passwordChangeRequired",
                Map.of(),
                result -> result.hasNext() && Boolean.TRUE.equals(result.next().get("passwordChangeRequired")));
        if (changeRequired) {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        }
    }
}
