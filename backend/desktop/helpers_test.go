package desktop

import (
	"switchboard/backend/domain"
	"switchboard/backend/wire"
)

func patchOf(assignee *int64, status *domain.ConversationStatus) wire.ConversationPatch {
	return wire.ConversationPatch{AssigneeID: assignee, Status: status}
}

type remoteConversationPatch = wire.ConversationPatch
