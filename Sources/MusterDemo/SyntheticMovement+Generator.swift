import Crypto
import MusterCore

extension SyntheticMovement {
    /// The generator's state while it makes one movement.
    struct Generator {
        let config: Config
        var rng: SeededGenerator
        var events: [Event] = []
        let blindIndex = BlindIndex(key: SymmetricKey(data: Array(repeating: UInt8(7), count: 32)))

        init(config: Config) {
            self.config = config
            rng = SeededGenerator(seed: config.seed)
        }

        mutating func day(after date: CalendarDate, within days: Int) -> CalendarDate {
            date.adding(days: Int64(Int.random(in: 0...max(0, days), using: &rng)))
        }

        mutating func add(_ date: CalendarDate, _ draft: EntryDraft) -> EventID {
            let millis = UInt64(date.daysSinceEpoch * 86_400_000) + UInt64(Int.random(in: 0..<86_400_000, using: &rng))
            let id = EventID.generate(unixMillis: millis, using: &rng)
            var draft = draft
            draft.id = id
            events.append(Event(id: id, date: date, draft: draft))
            return id
        }

        mutating func add<E: EventPayload>(_ date: CalendarDate, _ event: E, personal: E.Personal? = nil, subject: SubjectID?,
                                           operatorID: String? = nil) -> EventID {
            let op = operatorID ?? rng.pick(SyntheticMovement.operators)
            return add(date, try! EntryDraft(event, personal: personal, subject: subject, operatorID: op))
        }

        mutating func money(_ pence: Int64) -> Money { try! Money.gbp(pence: pence) }

        mutating func run() -> [Event] {
            let end = config.start.adding(days: Int64(config.days))
            for area in SyntheticMovement.areas {
                var date = config.start
                while date < end {
                    let session = SubjectID.generate(using: &rng).text
                    let course = rng.pick(SyntheticMovement.courses)
                    _ = add(date, TrainingSessionHeld(sessionId: session, course: course, heldOn: date, region: area.region,
                                                     constituency: rng.pick(area.constituencies), format: rng.pick(["in-person", "online"])),
                            subject: nil)
                    date = date.adding(days: 28)
                }
            }
            for _ in 0..<config.members { member(end: end) }
            // Stable date order, as a hub would record them.
            return events.enumerated().sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }.map(\.element)
        }

        mutating func member(end: CalendarDate) {
            let first = events.count
            generateMember(end: end)
            // Nothing is recorded about a subject after their erasure.
            if let erased = events[first...].first(where: { $0.draft.type == SubjectErased.schema.type }) {
                events = Array(events[..<first]) + events[first...].filter { $0.date <= erased.date }
            }
        }

        mutating func generateMember(end: CalendarDate) {
            let area = rng.pick(SyntheticMovement.areas)
            let subject = SubjectID.generate(using: &rng)
            let joined = day(after: config.start, within: config.days - 60)
            let first = rng.pick(SyntheticMovement.firstNames), last = rng.pick(SyntheticMovement.surnames)
            let email = "\(first).\(last)\(Int.random(in: 1...999, using: &rng))@example.org".lowercased()
            let outward = rng.pick(area.outward)
            let constituency = rng.pick(area.constituencies)
            let personal = MemberJoined.Personal(
                name: "\(first) \(last)", email: email,
                phone: rng.chance(0.5) ? "07700 9\(Int.random(in: 10000...99999, using: &rng))" : nil,
                address: "\(Int.random(in: 1...200, using: &rng)) \(rng.pick(["High Street", "Church Lane", "Mill Road", "Park Avenue"]))",
                postcode: "\(outward) \(Int.random(in: 1...9, using: &rng))\(rng.pick(["AB", "DX", "GH", "PQ", "ZZ"]))")
            _ = add(joined, MemberJoined(region: area.region, constituency: constituency, outwardCode: outward, joinedOn: joined,
                                         source: rng.pick(["web", "event", "phone", "paper"]), emailIndex: blindIndex.email(email)),
                    personal: personal, subject: subject)
            for purpose in ["news", "campaigning", "fundraising"] where rng.chance(0.6) {
                _ = add(joined, ConsentRecorded(purpose: purpose, channel: rng.pick(["email", "sms", "phone"]), recordedOn: joined,
                                                source: "form", wording: "consent-2025-01"), subject: subject)
            }
            if rng.chance(0.45) { donations(subject: subject, donor: personal, from: joined, end: end) }
            if rng.chance(0.3) { training(subject: subject, region: area.region, from: joined) }
            if rng.chance(0.35) { pledge(subject: subject, seat: constituency, from: joined, end: end) }
            let later = day(after: joined, within: 200)
            if later < end {
                if rng.chance(0.08) {
                    _ = add(later, MemberLapsed(lapsedOn: later, reason: "not-renewed"), subject: subject)
                    if rng.chance(0.5) { _ = add(later.adding(days: 30), MemberRenewed(renewedOn: later.adding(days: 30)), subject: subject) }
                } else if rng.chance(0.04) {
                    _ = add(later, MemberLeft(leftOn: later, reason: "resigned"), subject: subject)
                    if rng.chance(0.3) { _ = add(later.adding(days: 3), SubjectErased(requestedOn: later, basis: "gdpr-art17"), subject: subject) }
                } else if rng.chance(0.05) {
                    let to = rng.pick(SyntheticMovement.areas)
                    _ = add(later, MemberMoved(region: to.region, constituency: rng.pick(to.constituencies), outwardCode: rng.pick(to.outward),
                                               movedOn: later), subject: subject)
                }
            }
        }

        mutating func donations(subject: SubjectID, donor: MemberJoined.Personal, from: CalendarDate, end: CalendarDate) {
            let major = rng.chance(0.06)
            for _ in 0..<Int.random(in: 1...(major ? 4 : 3), using: &rng) {
                let on = day(after: from, within: 300)
                guard on < end else { continue }
                let pence: Int64 = major ? Int64.random(in: 50_000...600_000, using: &rng) : Int64.random(in: 300...15_000, using: &rng)
                let id = add(on, DonationReceived(amount: money(pence), receivedOn: on, method: rng.pick(Vocabulary.paymentMethods),
                                                  donorKind: "individual", accountingUnit: rng.chance(0.2) ? "sheffield-branch" : nil),
                             personal: DonationReceived.Personal(donorName: donor.name, donorAddress: donor.address, postcode: donor.postcode),
                             subject: subject, operatorID: "op-treasurer")
                if pence > 50_000 {
                    let checked = on.adding(days: Int64(Int.random(in: 1...45, using: &rng)))
                    let ok = rng.chance(0.93)
                    _ = add(checked, DonationPermissibilityChecked(donation: id, checkedOn: checked, outcome: ok ? "permissible" : "impermissible",
                                                                   basis: "electoral-register"), subject: subject, operatorID: "op-treasurer")
                    if ok {
                        _ = add(checked, DonationAccepted(donation: id, acceptedOn: checked), subject: subject, operatorID: "op-treasurer")
                    } else {
                        _ = add(checked.adding(days: 2), DonationReturned(donation: id, returnedOn: checked.adding(days: 2), reason: "impermissible"),
                                subject: subject, operatorID: "op-treasurer")
                    }
                } else if rng.chance(0.03) {
                    _ = add(on.adding(days: 5), DonationRefunded(donation: id, refundedOn: on.adding(days: 5), amount: money(pence / 2)),
                            subject: subject, operatorID: "op-treasurer")
                }
            }
        }

        mutating func training(subject: SubjectID, region: String, from: CalendarDate) {
            let sessions = events.filter { $0.draft.type == TrainingSessionHeld.schema.type && $0.date >= from
                && $0.draft.payload["region"]?.stringValue == region }
            guard !sessions.isEmpty else { return }
            let session = rng.pick(sessions)
            _ = add(session.date, TrainingAttendanceRecorded(
                        sessionId: session.draft.payload["sessionId"]!.stringValue!, course: session.draft.payload["course"]!.stringValue!,
                        attendance: rng.chance(0.85) ? "attended" : "absent"), subject: subject)
        }

        mutating func pledge(subject: SubjectID, seat: Constituency, from: CalendarDate, end: CalendarDate) {
            let on = day(after: from, within: 90)
            guard on < end else { return }
            let kind = rng.pick(Vocabulary.pledgeKinds)
            let id = add(on, PledgeMade(kind: kind, seat: seat, election: "ge-2029",
                                        amount: kind == "donate" ? money(Int64.random(in: 1_000...20_000, using: &rng)) : nil,
                                        hours: kind == "campaign" ? Int.random(in: 2...40, using: &rng) : nil), subject: subject)
            let later = day(after: on, within: 120)
            guard later < end else { return }
            if rng.chance(0.4) {
                _ = add(later, PledgeFulfilled(pledge: id, fulfilledOn: later), subject: subject)
            } else if rng.chance(0.1) {
                _ = add(later, PledgeWithdrawn(pledge: id, withdrawnOn: later), subject: subject)
            }
        }
    }
}
