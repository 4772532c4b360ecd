import PlumbCore
import PlumbGit

/// `plan --repo R --ref HEAD --base BASE` and the agent's review plans (SPEC §8.1): the
/// request's `Desired/` planned with the base branch head's `Providers/` and `plumb.yaml`;
/// each change marked `change` when the commits from the merge base to HEAD cause it and
/// `drift` when it was already pending; plus the checks and trusted files the request
/// changes.
public enum ReviewPlanner {
    /// The workspace a review is planned in: the request's files seen through a
    /// `ReviewTree` whose bindings and settings are the base head's.
    public static func workspace(_ context: Workspace, base: String) throws -> Workspace {
        guard let repository = context.git, let head = context.tree as? GitCommitTree else {
            throw RunnerError(message: "--base needs --repo")
        }
        let baseTree: GitCommitTree
        do {
            baseTree = try GitCommitTree(
                repository: repository, commit: try repository.resolve(base), name: head.defaultStackName, root: head.root)
        } catch let error as GitError {
            throw RunnerError(message: "--base \(base): \(error.message)")
        }
        var reviewed = context
        reviewed.tree = ReviewTree(request: head, trusted: baseTree)
        return reviewed
    }

    /// What the request changes of the trusted files, without loading anything: what a
    /// review reports even when the request's documents do not load with the base's bindings.
    public static func trustedChanges(_ context: Workspace) throws -> [TrustedFileChange] {
        try (context.tree as? ReviewTree)?.trustedChanges() ?? []
    }

    public static func review(_ plan: Plan, context: Workspace, base: String, head: DesiredState) throws -> Review {
        let (marked, before) = try mark(plan, context: context, base: base, head: head)
        return Review(
            plan: marked, checks: CheckChange.between(before?.checks ?? [], head.checks),
            trustedFiles: try trustedChanges(context))
    }

    public static func mark(_ plan: Plan, context: Workspace, base: String, head: DesiredState) throws -> (Plan, DesiredState?) {
        guard let repository = context.git, let headCommit = context.commit else {
            throw RunnerError(.invalidInput, message: "--base needs --repo")
        }
        let mergeBaseTree: GitCommitTree
        let baseCommit: GitCommit
        do {
            baseCommit = try repository.resolve(base)
            let mergeBase = try repository.resolve(try repository.mergeBase(baseCommit.id, headCommit.id))
            let root = ((context.tree as? ReviewTree)?.request as? GitCommitTree ?? context.tree as? GitCommitTree)?.root ?? ""
            mergeBaseTree = try GitCommitTree(repository: repository, commit: mergeBase, name: context.tree.defaultStackName, root: root)
        } catch let error as GitError {
            throw RunnerError(.git, message: "--base \(base): \(error.message)")
        }
        // A merge base without a valid desired state counts as "nothing declared".
        let before = try? context.loadDesired(from: mergeBaseTree)
        let declared = before?.resources ?? [:]
        var marked = plan
        marked.source.base = baseCommit.id
        marked.source.mergeBase = mergeBaseTree.commit.id
        for chunkIndex in marked.chunks.indices {
            for changeIndex in marked.chunks[chunkIndex].changes.indices {
                let address = marked.chunks[chunkIndex].changes[changeIndex].address
                let caused = Self.declaration(declared[address]) != Self.declaration(head.resources[address])
                marked.chunks[chunkIndex].changes[changeIndex].origin = caused ? .change : .drift
            }
        }
        return (marked, before)
    }

    /// What a commit range can change about a resource: its provider, spec and protection.
    private static func declaration(_ resource: DesiredResource?) -> [String]? {
        resource.map { [$0.provider, $0.spec.attributes.canonicalText, String($0.protect)] }
    }
}
