import Foundation
import MusterCore
import Testing

/// The committed `Schemas/events/` folder must be exactly what this build generates, so a changed
/// event definition cannot ship without `swift run muster schemas`.
@Suite struct EntrySchemaFilesTests {
    static var folder: URL { EntryFixtures.repositoryRoot.appendingPathComponent("Schemas/events") }

    @Test func generatedFilesEqualTheCommittedOnes() throws {
        let generated = try SchemaFiles.all()
        let committed = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
            .filter { $0.hasSuffix(".schema.json") }.sorted()
        #expect(committed == generated.map(\.name).sorted(), "schema files added or removed without regenerating")
        for file in generated {
            let onDisk = try? Data(contentsOf: Self.folder.appendingPathComponent(file.name))
            #expect(onDisk.map(Array.init) == file.bytes,
                    "\(file.name) differs from this build's schema; run `swift run muster schemas`")
        }
    }

    @Test func oneFilePerCatalogueEntryWithUniqueNames() throws {
        let generated = try SchemaFiles.all()
        #expect(generated.count == EventCatalog.schemas.count)
        #expect(Set(generated.map(\.name)).count == generated.count)
        #expect(EventCatalog.schemas.count == 23)
        #expect(EventCatalog.typeNames.count == EventCatalog.schemas.count)
    }

    @Test func prettyFilesParseBackToTheSchemaDocument() throws {
        for (schema, file) in zip(EventCatalog.schemas, try SchemaFiles.all()) {
            #expect(try CanonicalJSON.parse(file.bytes) == schema.document, "\(file.name)")
            #expect(file.bytes.last == 0x0A)
            #expect(schema.document["$id"]?.stringValue == schema.id)
            #expect(schema.document["properties"]?["type"]?["const"]?.stringValue == schema.type)
        }
    }

    @Test func everySchemaCompilesInTheSwiftValidator() throws {
        for schema in EventCatalog.schemas {
            _ = try SchemaValidator(schema: schema.document)
            _ = try SchemaValidator(schema: schema.personalDocument, redactsValues: true)
        }
    }

    @Test func validatorRefusesKeywordsItDoesNotImplement() {
        for keyword in ["oneOf", "anyOf", "patternProperties", "uniqueItems", "exclusiveMinimum", "dependentRequired"] {
            let schema: JSONValue = .object(["type": .string("object"), keyword: .array([])])
            #expect(throws: CoreError.self, "\(keyword)") { try SchemaValidator(schema: schema) }
        }
        #expect(throws: CoreError.self) { try SchemaValidator(schema: .object(["format": .string("uri")])) }
        #expect(throws: CoreError.self) { try SchemaValidator(schema: .object(["$ref": .string("#/$defs/missing")])) }
    }

    /// DESIGN.md "Personal data": names, e-mail, phone, full postcode, date of birth and notes only
    /// travel sealed, so no clear field may have a personal kind, and sealed data needs a subject key.
    @Test func personalKindsNeverAppearInClearPayloads() {
        func isPersonal(_ kind: FieldKind) -> Bool {
            switch kind {
            case .email, .phone, .postcode: true
            case .object(let fields): fields.contains { isPersonal($0.kind) }
            case .list(let element, _): isPersonal(element)
            default: false
            }
        }
        let personalNames: Set = ["name", "email", "phone", "address", "postcode", "dateOfBirth", "note", "donorName", "donorAddress"]
        for schema in EventCatalog.schemas {
            for field in schema.clear {
                #expect(!isPersonal(field.kind), "\(schema.type).\(field.name) has a personal kind in the clear")
                #expect(!personalNames.contains(field.name), "\(schema.type).\(field.name) is a personal field in the clear")
            }
            if !schema.personal.isEmpty {
                #expect(schema.subject == .required, "\(schema.type) seals personal data but names no subject")
                #expect(schema.document["properties"]?["sealed"] != nil)
            } else {
                #expect(schema.document["properties"]?["sealed"] == nil, "\(schema.type) has no personal fields yet allows sealed")
            }
        }
    }

    @Test func requiredListsAreSortedAndNameDeclaredProperties() {
        for schema in EventCatalog.schemas {
            let doc = schema.document
            let required = doc["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(required == required.sorted(), "\(schema.type)")
            for name in required { #expect(doc["properties"]?[name] != nil, "\(schema.type) requires undeclared \(name)") }
            let payloadRequired = doc["properties"]?["payload"]?["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(Set(payloadRequired) == Set(schema.clear.filter(\.isRequired).map(\.name)), "\(schema.type)")
        }
    }
}
