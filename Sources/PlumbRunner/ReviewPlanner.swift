import PlumbCore
import PlumbGit

/// `plan --repo R --ref HEAD --base BASE`: marks each change of the plan against the live
/// inventory as `change` when the commits from the merge base to HEAD cause it, and as
/// `drift` when it was already pending without them.
public enum ReviewPlanner {
    public static func mark(_ plan: Plan, context: Workspace, base: String, head: DesiredState) throws -> Plan {
        guard let repository = context.git, let headCommit = context.commit else {
            throw RunnerError(.invalidInput, message: "--base needs --repo")
        }
        let mergeBaseTree: GitCommitTree
        let baseCommit: GitCommit
        do {
            baseCommit = try repository.resolve(base)
            let mergeBase = try repository.resolve(try repository.mergeBase(baseCommit.id, headCommit.id))
            mergeBaseTree = try GitCommitTree(repository: repository, commit: mergeBase, name: context.tree.defaultStackName)
        } catch let error as GitError {
            throw RunnerError(.git, message: "--base \(base): \(error.message)")
        }
        // A merge base without a valid desired state counts as "nothing declared".
        let before = (try? context.loadDesired(from: mergeBaseTree))?.resources ?? [:]
        var marked = plan
        marked.source.base = baseCommit.id
        marked.source.mergeBase = mergeBaseTree.commit.id
        for chunkIndex in marked.chunks.indices {
            for changeIndex in marked.chunks[chunkIndex].changes.indices {
                let address = marked.chunks[chunkIndex].changes[changeIndex].address
                let caused = Self.declaration(before[address]) != Self.declaration(head.resources[address])
                marked.chunks[chunkIndex].changes[changeIndex].origin = caused ? .change : .drift
            }
        }
        return marked
    }

    /// What a commit range can change about a resource: its provider, spec and protection.
    private static func declaration(_ resource: DesiredResource?) -> [String]? {
        resource.map { [$0.provider, $0.spec.attributes.canonicalText, String($0.protect)] }
    }
}
