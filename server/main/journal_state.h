// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The IXFR journals (RFC 1995) of the transfer view's zones: computed when a start or reload
// publishes zones whose serial changed, published with them in the engine settings, and kept in
// the state directory (state/journal_store.h) so that a restart still answers IXFR from the
// serials the secondaries have. Problems with the directory are warnings: without it IXFR is
// answered from what this run saw.
#include <memory>
#include <string>
#include <vector>

#include "serial_state.h"
#include "sipdns/zone/journal.h"
#include "sipdns/zone/zone.h"

namespace sipdns::app {

class TransferJournalKeeper {
  public:
    // The journals live in `serials`' directory; a directory it has already warned about
    // (not writable) is not warned about again.
    explicit TransferJournalKeeper(const ServedSerialsKeeper& serials)
        : serials_(serials), dir_(serials.dir()) {}

    // At start: each zone's journal from the state directory when it ends at the zone served
    // now (its serial and content hash); one that does not is dropped with one warning.
    std::shared_ptr<const zone::TransferJournals> start(const zone::ZoneSet& transfer_view);

    // A reload replaces `old_view` with `new_view`: each zone whose serial changed gets the
    // difference appended (zone::next_journal); the changed journals are written to the state
    // directory. Returns what to publish with `new_view`.
    std::shared_ptr<const zone::TransferJournals> next(const zone::ZoneSet& old_view,
                                                       const zone::ZoneSet& new_view);

    const std::shared_ptr<const zone::TransferJournals>& current() const { return current_; }

  private:
    void save(const std::vector<const zone::ZoneJournal*>& journals);

    const ServedSerialsKeeper& serials_;
    std::string dir_;
    std::shared_ptr<const zone::TransferJournals> current_;
    bool warned_ = false;  // about a failed write, not followed by a good one
};

}  // namespace sipdns::app
