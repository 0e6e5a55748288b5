import Foundation
import MusterTesting
import Testing

@Suite struct VectorsLocationTests {
    @Test func sharedVectorsAreBesideTheRepository() throws {
        let readme = try Vectors.data("README.md")
        #expect(!readme.isEmpty)
    }
}
