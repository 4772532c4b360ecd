import Foundation
import PlumbGit
import PlumbStore

/// The commit behind a `--root` that lies in a git work tree, so plans and runs name it
/// (SPEC §8.4: `history` shows the commit, and "dirty" when the files Plumb reads had
/// uncommitted changes).
enum WorkTreeCommit {
    /// Nil outside a work tree, or in one without commits.
    static func read(root: String) -> CommitInfo? {
        guard let repository = try? GitRepository.open(path: root), let workTree = repository.workTree,
            let head = try? repository.resolve("HEAD")
        else { return nil }
        let base = URL(fileURLWithPath: workTree).resolvingSymlinksInPath().path
        let here = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        let relative = here == base ? "" : here.hasPrefix(base + "/") ? String(here.dropFirst(base.count + 1)) + "/" : nil
        // Unknown (the root is not under the work tree Git reports): not claimed clean.
        let dirty =
            relative.map { prefix in
                (try? repository.hasChanges(under: ["\(prefix)plumb.yaml", "\(prefix)Providers/", "\(prefix)Desired/"])) ?? true
            } ?? true
        return CommitInfo(id: head.id, author: "\(head.author) <\(head.email)>", subject: head.subject, dirty: dirty)
    }
}
