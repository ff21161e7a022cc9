package io.uniform.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code uniform run}: {@code yod -sz 1} on the embedded machine: boots it in this JVM, runs the
 * program as a one-rank job on a compute node (Puma, I/O served by yod) or on a service node
 * (Linux), prints its output as it arrives, and exits with its status.
 */
@Command(name = "run",
        description = {"Run a program as a one-rank job on the embedded machine: Puma on a compute node (default) or Linux on a service node.",
                "On a compute node this is yod -sz 1: stdin is read as the program asks for it. "
                        + "On a service node, redirected or piped stdin is read in full first. Files are on the --files directory on both.",
                "The exit status is the program's (128 + signal if it was killed)."})
final class RunCommand implements Callable<Integer> {
    @Mixin
    JobOptions job;

    @Override
    public Integer call() {
        return YodCommand.launch(job, 1);
    }
}
