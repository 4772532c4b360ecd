import PlumbStore

/// Which stored review plans approve a head under `--require-reviewed-plan` (SPEC §8.1):
/// only one computed on a pull/merge request, against a base. The agent's own `held-COMMIT`
/// records (base nil) show a reviewer what waits; they never approve it, or a held head
/// would approve itself one poll later. A review that could not be planned approves nothing.
enum ReviewRule {
    static func countsAsReview(_ record: ReviewPlanRecord) -> Bool {
        record.base != nil && !record.id.hasPrefix("held-") && !record.checksum.hasPrefix("unplanned-")
    }
}
