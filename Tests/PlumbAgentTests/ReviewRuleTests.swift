import PlumbStore
import Testing

@testable import PlumbAgent

@Suite("--require-reviewed-plan: which records approve a head")
struct ReviewRuleTests {
    @Test("a request's review counts; the agent's own held record and an unplanned review never do")
    func onlyRequestReviews() {
        #expect(ReviewRule.countsAsReview(ReviewPlanRecord(id: "42", head: "h", base: "b", checksum: "c", markdown: "")))
        #expect(ReviewRule.countsAsReview(ReviewPlanRecord(id: "42@web", head: "h", base: "b", checksum: "c", markdown: "")))
        #expect(!ReviewRule.countsAsReview(ReviewPlanRecord(id: "held-h", head: "h", base: nil, checksum: "c", markdown: "")))
        #expect(!ReviewRule.countsAsReview(ReviewPlanRecord(id: "held-h", head: "h", base: "b", checksum: "c", markdown: "")))
        #expect(!ReviewRule.countsAsReview(ReviewPlanRecord(id: "9", head: "h", base: nil, checksum: "unplanned-h", markdown: "")))
    }
}
