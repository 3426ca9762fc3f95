// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "journal_state.h"

#include <spdlog/spdlog.h>

#include "sipdns/state/journal_store.h"
#include "sipdns/zone/name.h"

namespace sipdns::app {

std::shared_ptr<const zone::TransferJournals> TransferJournalKeeper::start(
    const zone::ZoneSet& transfer_view) {
    auto journals = std::make_shared<zone::TransferJournals>();
    std::size_t versions = 0;
    for (const auto& z : transfer_view.zones()) {
        const std::string apex_text = zone::name_to_text(z->apex());
        // This zone's journal as it is now: no differences, ending at the zone served.
        zone::ZoneJournal fresh = zone::next_journal(nullptr, nullptr, *z);
        auto loaded = state::load_journal(dir_, apex_text);
        if (!loaded) {
            spdlog::warn("state dir {}: {}; IXFR of {} starts from serial {}", dir_,
                         loaded.error(), apex_text, fresh.serial);
        } else if (*loaded) {
            zone::ZoneJournal& kept = **loaded;
            if (kept.apex == fresh.apex && kept.serial == fresh.serial &&
                kept.content_hash == fresh.content_hash) {
                versions += kept.deltas.size();
                fresh = std::move(kept);
            } else {
                spdlog::warn("state dir {}: the IXFR journal of {} ends at serial {}, not at the "
                             "zone served now (serial {}, other content); dropped: secondaries "
                             "older than this get the whole zone",
                             dir_, apex_text, kept.serial, fresh.serial);
            }
        }
        journals->emplace(z->apex(), std::move(fresh));
    }
    if (versions > 0)
        spdlog::debug("state dir {}: {} IXFR version{} from the last run", dir_, versions,
                      versions == 1 ? "" : "s");
    current_ = std::move(journals);
    return current_;
}

std::shared_ptr<const zone::TransferJournals> TransferJournalKeeper::next(
    const zone::ZoneSet& old_view, const zone::ZoneSet& new_view) {
    // The same site content and serial (a reload of an unchanged file): every journal stays,
    // without walking the zones.
    if (current_ && old_view.serial() == new_view.serial() &&
        old_view.content_hash() == new_view.content_hash())
        return current_;
    auto journals = std::make_shared<zone::TransferJournals>();
    std::vector<std::string> changed;
    for (const auto& z : new_view.zones()) {
        const zone::ZoneJournal* before = nullptr;
        if (current_) {
            const auto found = current_->find(z->apex());
            if (found != current_->end()) before = &found->second;
        }
        const zone::Zone* old_zone = old_view.find_zone(z->apex());
        if (old_zone && old_zone->apex() != z->apex()) old_zone = nullptr;  // a zone above it
        zone::ZoneJournal next = zone::next_journal(before, old_zone, *z);
        if (!before || next != *before) changed.push_back(z->apex());
        journals->emplace(z->apex(), std::move(next));
    }
    // One write for all: every zone's serial changes with the site's (one sync, not two a zone).
    std::vector<const zone::ZoneJournal*> to_save;
    for (const auto& apex : changed) to_save.push_back(&journals->find(apex)->second);
    save(to_save);
    current_ = std::move(journals);
    return current_;
}

void TransferJournalKeeper::save(const std::vector<const zone::ZoneJournal*>& journals) {
    if (journals.empty()) return;
    auto problem = state::save_journals(dir_, journals);
    if (!problem) {
        if (warned_) spdlog::info("state dir {}: IXFR journals written again", dir_);
        warned_ = false;
        return;
    }
    if (!warned_ && !serials_.write_failing()) {
        spdlog::warn("state dir {}: {}; IXFR journals are not kept across restarts (after one, "
                     "secondaries get the whole zone once)",
                     dir_, *problem);
        warned_ = true;
    } else {
        spdlog::debug("state dir {}: {}", dir_, *problem);
    }
}

}  // namespace sipdns::app
