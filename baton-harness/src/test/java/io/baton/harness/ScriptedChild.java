package io.baton.harness;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A child process for {@link ChildProcessTest}: prints a ready line naming its arguments and pid, then
 * answers each line of stdin with an {@code echo} event, until stdin closes.
 */
public final class ScriptedChild {

    private ScriptedChild() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("not json: the JVM may print too");
        System.out.println("{\"event\":\"ready\",\"pid\":" + ProcessHandle.current().pid() + ",\"args\":\""
                + String.join(" ", args) + "\",\"client_port\":7000}");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            System.out.println("{\"event\":\"echo\",\"line\":\"" + line + "\"}");
            System.out.flush();
        }
    }
}
