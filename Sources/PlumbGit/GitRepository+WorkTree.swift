import CLibGit2
import Foundation

extension GitRepository {
    /// The work tree's folder (with a trailing `/`), nil for a bare repository.
    public var workTree: String? {
        locked { git_repository_workdir(handle).map { String(cString: $0) } }
    }

    /// Whether anything under `prefixes` (work-tree-relative: `plumb.yaml`, `Desired/`…)
    /// differs from HEAD: modified, staged, deleted or new. Ignored files do not count.
    public func hasChanges(under prefixes: [String]) throws -> Bool {
        try locked {
            var options = git_status_options()
            try GitError.check("status options") { git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)) }
            options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
            options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            var list: OpaquePointer?
            try GitError.check("status") { git_status_list_new(&list, handle, &options) }
            defer { git_status_list_free(list) }
            for index in 0..<git_status_list_entrycount(list) {
                guard let entry = git_status_byindex(list, index)?.pointee, entry.status != GIT_STATUS_CURRENT else { continue }
                let delta = entry.index_to_workdir ?? entry.head_to_index
                let paths = [delta?.pointee.old_file.path, delta?.pointee.new_file.path].compactMap { $0.map { String(cString: $0) } }
                if paths.contains(where: { path in prefixes.contains { path == $0 || ($0.hasSuffix("/") && path.hasPrefix($0)) } }) {
                    return true
                }
            }
            return false
        }
    }
}
