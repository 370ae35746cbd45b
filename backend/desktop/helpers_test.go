package desktop

import (
	"switchboard/backend/desktop/remote"
	"switchboard/backend/domain"
)

func patchOf(assignee *int64, status *domain.ConversationStatus) remote.ConversationPatch {
	return remote.ConversationPatch{AssigneeID: assignee, Status: status}
}

type remoteConversationPatch = remote.ConversationPatch
