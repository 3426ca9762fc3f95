// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "serial_state.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <spdlog/spdlog.h>

#include "sipdns/zone/name.h"

namespace sipdns::app {

namespace {
std::vector<std::string> apexes_of(const zone::ZoneSet& zones) {
    std::vector<std::string> apexes;
    for (const auto& z : zones.zones())
        if (z.get() != zones.catalog_zone()) apexes.push_back(zone::name_to_text(z->apex()));
    return apexes;
}
}  // namespace

std::string state_dir_for(const config::DaemonSettings& server) {
    if (server.state_dir) return *server.state_dir;
    // systemd.exec(5): with StateDirectory= the unit's directories, colon-separated.
    if (const char* from_systemd = std::getenv("STATE_DIRECTORY"); from_systemd && *from_systemd) {
        std::string first(from_systemd);
        first = first.substr(0, first.find(':'));
        if (first.starts_with('/')) return first;
    }
    return std::string(config::kDefaultStateDir);
}

ServedSerialsKeeper::ServedSerialsKeeper(std::string dir) : store_(std::move(dir)) {
    if (auto problem = store_.load())
        spdlog::warn("state dir {}: {}; not using it: the serial follows the site file's "
                     "modification time",
                     store_.dir(), *problem);
    else if (!store_.served().empty())
        spdlog::debug("state dir {}: {} zone serial{} from the last run", store_.dir(),
                      store_.served().size(), store_.served().size() == 1 ? "" : "s");
}

void ServedSerialsKeeper::fill(zone::SerialPolicy& policy) const {
    policy.served_before = store_.served();
}

void ServedSerialsKeeper::prepare_for_user(const std::string& user) const {
    if (user.empty() || ::geteuid() != 0) return;
    const passwd* entry = ::getpwnam(user.c_str());  // no other thread runs yet
    if (entry == nullptr) return;  // drop_privileges() reports it and stops the start
    if (::mkdir(store_.dir().c_str(), 0755) != 0) return;  // exists, or the write will say why
    if (::chown(store_.dir().c_str(), entry->pw_uid, entry->pw_gid) != 0)
        spdlog::warn("state dir {}: cannot give it to user {}: {}", store_.dir(), user,
                     std::strerror(errno));
}

void ServedSerialsKeeper::serving(std::optional<std::uint32_t> fixed_serial,
                                  const zone::ZoneSet& zones) {
    const std::vector<std::string> apexes = apexes_of(zones);
    if (fixed_serial) {
        zone::SerialPolicy served;
        fill(served);
        const auto highest = zone::highest_served_serial(served, apexes);
        if (highest && zone::serial_greater(*highest, *fixed_serial))
            spdlog::warn("soa.serial {} is lower than the serial {} these zones were served with "
                         "(state dir {}): secondaries keep what they have until it is raised",
                         *fixed_serial, *highest, store_.dir());
    }
    auto problem = store_.record(apexes, {zones.serial(), zones.content_hash()});
    // The catalog zone (RFC 9432) has a serial of its own, kept the same way.
    if (const zone::Zone* catalog = zones.catalog_zone(); catalog && !problem)
        problem = store_.record({zone::name_to_text(catalog->apex())}, zones.catalog_served());
    if (!problem) {
        if (write_failed_) spdlog::info("state dir {}: serials written again", store_.dir());
        write_failed_ = false;
        return;
    }
    if (!write_failed_)
        spdlog::warn("state dir {} is not writable ({}): serials are not kept across restarts; "
                     "after one, the serial follows the site file's modification time",
                     store_.dir(), *problem);
    else
        spdlog::debug("state dir {}: {}", store_.dir(), *problem);
    write_failed_ = true;
}

}  // namespace sipdns::app
