import Foundation
import MusterTesting
import Testing

/// The posix_spawn runner the suites start the CLI and the Python cross-checks with.
@Suite struct ChildProcessTests {
    @Test func inputOutputAndExitStatusRoundTrip() throws {
        let r = try ChildProcess.run("/bin/sh", ["-c", "tr a-z A-Z; echo oops >&2; exit 3"], input: Data("hello\n".utf8))
        #expect(r.status == 3)
        #expect(r.stdout == "HELLO\n")
        #expect(r.stderr == "oops\n")
    }

    @Test func theEnvironmentIsExactlyWhatIsGiven() throws {
        let r = try ChildProcess.run("/usr/bin/env", [], environment: ["ONLY": "this"])
        #expect(r.stdout == "ONLY=this\n")
    }

    @Test func aSignalledChildReportsTheSignal() throws {
        let child = try ChildProcess("/bin/sleep", ["30"])
        #expect(child.isRunning)
        child.signal(SIGKILL)
        #expect(child.waitUntilExit() == 128 + SIGKILL)
        #expect(!child.isRunning)
    }

    @Test func standardErrorCanFollowStandardOutputIntoAFile() throws {
        let temp = try TemporaryDirectory()
        let log = temp.path("log")
        for n in 1...2 {
            let child = try ChildProcess("/bin/sh", ["-c", "echo out \(n); echo err \(n) >&2"], stdout: .append(log), stderr: .standardOutput)
            #expect(child.waitUntilExit() == 0)
        }
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "out 1\nerr 1\nout 2\nerr 2\n")
    }

    @Test func aMissingProgramIsAnErrorNotACrash() {
        #expect(throws: ChildProcessError.self) { try ChildProcess("/nonexistent/program", []) }
    }
}
