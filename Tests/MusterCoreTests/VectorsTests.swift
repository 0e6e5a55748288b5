import Foundation
import MusterTesting
import Testing

@Suite struct VectorsLocationTests {
    /// Tests read the standards' vectors from ../shared/vectors beside the repository, never a copy.
    @Test func sharedVectorsAreBesideTheRepository() throws {
        #expect(Vectors.directory.standardizedFileURL.path.hasSuffix("shared/vectors"))
        let readme = String(decoding: try Vectors.data("README.md"), as: UTF8.self)
        #expect(readme.contains("cyberphone-json-canonicalization"))
    }
}
