import Foundation
import MusterCore
import MusterStore
import MusterTesting
import Testing

/// `muster replay`, `report` and `digest` as an operator runs them.
@Suite(.serialized) struct ReportCommandTests {
    let temp: TemporaryDirectory
    let dir: String

    init() throws {
        temp = try TemporaryDirectory()
        dir = temp.path("hub")
        #expect(try MusterBinary.run(["init", "--origin", "reports.example.org/hub", "--data-dir", dir]).status == 0)
    }

    private func muster(_ args: [String]) throws -> MusterBinary.Result { try MusterBinary.run(args + ["--data-dir", dir]) }

    private func record(_ args: [String]) throws -> String {
        let r = try muster(["record"] + args)
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout
    }

    @Test func reportsFollowRecordsAndReplayReproducesThem() throws {
        let joined = try record(["member.joined", "--name", "Ada L", "--region", "north-east", "--constituency", "E14001390",
                                 "--joinedOn", "2024-02-01"])
        let subject = String(joined.split(separator: " ").last!.trimmingCharacters(in: .whitespacesAndNewlines))
        let gift = ["donation.received", "--subject", subject, "--method", "card", "--donorKind", "individual"]
        _ = try record(gift + ["--amount", "6000.00", "--receivedOn", "2024-03-01"])
        let second = try record(gift + ["--amount", "6000.00", "--receivedOn", "2024-05-01"])
        let secondID = String(second.split(separator: " ")[2])
        _ = try record(gift + ["--amount", "100.00", "--receivedOn", "2024-05-02"])
        _ = try record(["donation.refunded", "--subject", subject, "--donation", secondID, "--refundedOn", "2024-05-03",
                        "--amount", "1000.00"])
        // Read models caught up after each record.
        let members = try muster(["report", "members", "--format", "csv"])
        #expect(members.status == 0, "\(members.stderr)")
        #expect(members.stdout.contains("north-east,1,1,0,0,0,0"))
        #expect(try muster(["report", "members", "--by", "constituency", "--format", "csv"]).stdout.contains("E14001390,1,1"))
        let donations = try muster(["report", "donations", "--by", "region", "--format", "json"])
        #expect(donations.stdout.contains(#""gross":"12100.00""#) && donations.stdout.contains(#""net":"11100.00""#))
        // £6,000 + £5,000 (after the refund) = £11,000: not over £11,180, so nothing reportable yet.
        let register = try muster(["report", "donation-register", "--year", "2024", "--today", "2024-12-31"])
        #expect(register.status == 0, "\(register.stderr)")
        #expect(register.stdout.contains("Gifts of £500.00 or less are not donations under the rules"))
        #expect(register.stdout.contains("reportable donations\n") && register.stdout.contains("(none)"))
        #expect(register.stdout.contains("overdue"))
        let digest = try muster(["digest"]).stdout
        let replay = try muster(["replay"])
        #expect(replay.status == 0 && replay.stdout.contains("replayed 5 entries"), "\(replay.stderr)")
        #expect(try muster(["digest"]).stdout == digest)
        // As of the day before the records, the models are empty and pinned; a full replay restores them.
        let pinned = try muster(["replay", "--as-of", "2000-01-01"])
        #expect(pinned.stdout.contains("replayed 0 entries") && pinned.stdout.contains("as of 2000-01-01"))
        // As JSON, for scripts: what it replayed, in how long, phase by phase.
        let json = try CanonicalJSON.parse(Array(try muster(["replay", "--until", "3", "--format", "json"]).stdout.utf8.dropLast()))
        #expect(json["entries"]?.integerValue == 3)
        #expect(json["limit"] == .string("until position 3"))
        #expect(json["projections"]?.arrayValue?.count == Projections.all.count)
        #expect((json["seconds"]?.numberValue ?? -1) >= 0)
        #expect(json["phases"]?.objectValue?.keys.contains("reading") == true)
        _ = try muster(["replay", "--as-of", "2000-01-01"])
        let empty = try muster(["report", "members"])
        #expect(empty.stdout.contains("(none)") && empty.stderr.contains("pinned as of 2000-01-01"))
        #expect(try muster(["replay", "--projection", "members"]).status == 0)
        #expect(try muster(["report", "members"]).stdout.contains("north-east"))
    }

    @Test(arguments: [
        (["report", "members", "--by", "seat"], "--by seat does not apply to members"),
        (["report", "donation-register"], "needs --year"),
        (["report", "donation-register", "--year", "2024", "--quarter", "5"], "--quarter must be"),
        (["report", "members", "--from", "2024-13-01"], "not a calendar date"),
        (["report", "members", "--from", "2024-05-01", "--to", "2024-01-01"], "is after --to"),
        (["report", "members", "--year", "2024"], "apply to donation-register only"),
        (["report", "votes"], "votes"),
        (["replay", "--projection", "polls"], "unknown projection 'polls'"),
        (["replay", "--until", "3", "--as-of", "2024-01-01"], "not both"),
        (["replay", "--format", "yaml"], "'yaml' is invalid for '--format"),
        (["report", "donation-register", "--year", "2024", "--rules", "/nonexistent.json"], "cannot read the rules file"),
    ])
    func badInputGetsOneLineAndNoChange(args: [String], message: String) throws {
        let before = try muster(["digest"]).stdout
        let r = try muster(args)
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(try muster(["digest"]).stdout == before)
    }
}
