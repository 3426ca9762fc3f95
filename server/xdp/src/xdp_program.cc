// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
#include "sipdns/xdp/xdp_program.h"

#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "bpf_object.h"
#include "errno_text.h"

namespace sipdns::xdp {
namespace {

constexpr const char* kProgramName = "sipdns_xdp";
constexpr const char* kPortVariable = "served_port";

// What the kernel needs from us, on Linux 6.x: CAP_BPF to load a program and create maps
// (kernel/bpf/syscall.c), CAP_NET_ADMIN for the XDP program type, the XSKMAP and attaching to a
// device, CAP_NET_RAW for socket(AF_XDP) (net/xdp/xsk.c, xsk_create); CAP_SYS_ADMIN only to read
// the name of a program already on the interface (BPF_PROG_GET_FD_BY_ID), which the error for
// that case says. Without CAP_IPC_LOCK the UMEM counts against RLIMIT_MEMLOCK (xsk_queue.cc).
constexpr const char* kCapabilityAdvice =
    "needs CAP_NET_ADMIN, CAP_BPF and CAP_NET_RAW (root, or AmbientCapabilities=CAP_NET_ADMIN "
    "CAP_BPF CAP_NET_RAW in the unit)";

// libbpf's messages (the verifier log among them) go to the debug log: the caller reports one
// line per failure, with the errno.
int log_libbpf(libbpf_print_level level, const char* format, va_list args) {
    if (level == LIBBPF_DEBUG) return 0;
    std::array<char, 512> line{};
    int n = std::vsnprintf(line.data(), line.size(), format, args);
    if (n <= 0) return n;
    std::string_view text(line.data(), std::min<std::size_t>(n, line.size() - 1));
    while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    spdlog::debug("libbpf: {}", text);
    return n;
}

// The RX queues: ETHTOOL_GCHANNELS answers for the caller's network namespace; drivers without
// it have /sys/class/net/IFACE/queues/rx-N (of the namespace sysfs was mounted in).
unsigned rx_queue_count(const std::string& interface) {
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        ethtool_channels channels{};
        channels.cmd = ETHTOOL_GCHANNELS;
        ifreq request{};
        std::snprintf(request.ifr_name, sizeof request.ifr_name, "%s", interface.c_str());
        request.ifr_data = reinterpret_cast<char*>(&channels);
        int rc = ::ioctl(fd, SIOCETHTOOL, &request);
        ::close(fd);
        if (rc == 0 && channels.rx_count + channels.combined_count > 0)
            return channels.rx_count + channels.combined_count;
    }
    std::error_code error;
    unsigned count = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator("/sys/class/net/" + interface + "/queues", error))
        if (entry.path().filename().string().starts_with("rx-")) ++count;
    return std::max(count, 1U);
}

struct AttachedProgram {
    std::uint32_t id = 0;
    std::uint32_t mode_flag = 0;  // XDP_FLAGS_DRV_MODE / _SKB_MODE / _HW_MODE
};

// The programs on the interface, one per attach mode (a device can have one of each).
std::vector<AttachedProgram> attached_programs(int ifindex, std::string& error) {
    bpf_xdp_query_opts query{};
    query.sz = sizeof query;
    if (int rc = bpf_xdp_query(ifindex, 0, &query); rc < 0) {
        error = "cannot query its XDP programs: " + errno_text(-rc);
        return {};
    }
    std::vector<AttachedProgram> programs;
    if (query.drv_prog_id) programs.push_back({query.drv_prog_id, XDP_FLAGS_DRV_MODE});
    if (query.skb_prog_id) programs.push_back({query.skb_prog_id, XDP_FLAGS_SKB_MODE});
    if (query.hw_prog_id) programs.push_back({query.hw_prog_id, XDP_FLAGS_HW_MODE});
    return programs;
}

// Removes a sipdns_xdp left attached the legacy way; refuses anything else. Empty = the
// interface is free now.
std::string clear_interface(const std::string& interface, int ifindex) {
    std::string error;
    auto programs = attached_programs(ifindex, error);
    if (!error.empty()) return error;
    for (const auto& program : programs) {
        int fd = bpf_prog_get_fd_by_id(program.id);
        if (fd < 0) {
            int code = errno;
            return interface + " already has an XDP program (id " + std::to_string(program.id) +
                   "; its name is unreadable: " + errno_text(code) +
                   (code == EPERM ? ", needs CAP_SYS_ADMIN" : "") +
                   "); remove it with `ip link set dev " + interface +
                   " xdp off` if it is not needed";
        }
        bpf_prog_info info{};
        std::uint32_t info_length = sizeof info;
        int rc = bpf_obj_get_info_by_fd(fd, &info, &info_length);
        std::string name = rc == 0 ? std::string(info.name, strnlen(info.name, sizeof info.name))
                                   : std::string("?");
        if (name != kProgramName) {
            ::close(fd);
            return interface + " already has another XDP program (id " +
                   std::to_string(program.id) + ", \"" + name +
                   "\"); remove it with `ip link set dev " + interface +
                   " xdp off` if it is not needed";
        }
        bpf_xdp_attach_opts detach{};
        detach.sz = sizeof detach;
        detach.old_prog_fd = fd;
        rc = bpf_xdp_detach(ifindex, program.mode_flag, &detach);
        ::close(fd);
        if (rc == -EBUSY)  // attached through a bpf_link: a process that is still running
            return interface + " already has the sipdns XDP program (id " +
                   std::to_string(program.id) +
                   ") of a running process; stop the other sipdnsd first";
        if (rc < 0)
            return "cannot remove the sipdns XDP program (id " + std::to_string(program.id) +
                   ") left on " + interface + ": " + errno_text(-rc) +
                   (rc == -EPERM ? std::string("; ") + kCapabilityAdvice : std::string());
        spdlog::warn("removed a sipdns XDP program left on {} by an earlier run", interface);
    }
    return {};
}

// Writes the program's constant (the served port) into its .rodata before the load, so the
// verifier and the JIT see a constant.
template <class Value>
bool set_rodata(bpf_object* object, const char* name, const Value& value) {
    bpf_map* rodata = bpf_object__find_map_by_name(object, ".rodata");
    btf* types = bpf_object__btf(object);
    size_t size = 0;
    const void* initial = rodata ? bpf_map__initial_value(rodata, &size) : nullptr;
    if (!initial || !types) return false;
    int section_id = btf__find_by_name_kind(types, ".rodata", BTF_KIND_DATASEC);
    if (section_id < 0) return false;
    const btf_type* section = btf__type_by_id(types, section_id);
    const btf_var_secinfo* variable = btf_var_secinfos(section);
    for (unsigned i = 0; i < btf_vlen(section); ++i, ++variable) {
        const btf_type* type = btf__type_by_id(types, variable->type);
        if (std::strcmp(btf__name_by_offset(types, type->name_off), name) != 0) continue;
        if (variable->size != sizeof value || variable->offset + sizeof value > size) return false;
        std::vector<unsigned char> data(static_cast<const unsigned char*>(initial),
                                        static_cast<const unsigned char*>(initial) + size);
        std::memcpy(data.data() + variable->offset, &value, sizeof value);
        return bpf_map__set_initial_value(rodata, data.data(), data.size()) == 0;
    }
    return false;
}

// The key of the program's destination map (struct destination in sipdns_xdp.bpf.c).
struct DestinationKey {
    std::uint8_t family = 0;
    std::uint8_t pad[3] = {};
    std::uint8_t address[16] = {};
};
static_assert(sizeof(DestinationKey) == 20);

std::string fill_destinations(bpf_object* object, const XdpDestinations& destinations) {
    bpf_map* map = bpf_object__find_map_by_name(object, "destinations");
    if (!map) return "the embedded XDP program is incomplete";
    const std::uint8_t taken = 1;
    auto add = [&](std::uint8_t family, const std::uint8_t* address, std::size_t length) {
        DestinationKey key;
        key.family = family;
        std::memcpy(key.address, address, length);
        return bpf_map_update_elem(bpf_map__fd(map), &key, &taken, BPF_ANY) == 0;
    };
    for (const auto& address : destinations.ipv4)
        if (!add(4, address.data(), address.size()))
            return "cannot fill the XDP program's address map: " + errno_text(errno);
    for (const auto& address : destinations.ipv6)
        if (!add(6, address.data(), address.size()))
            return "cannot fill the XDP program's address map: " + errno_text(errno);
    return {};
}

template <std::size_t N>
void add_once(std::vector<std::array<std::uint8_t, N>>& list, const void* address) {
    std::array<std::uint8_t, N> bytes{};
    std::memcpy(bytes.data(), address, N);
    if (std::find(list.begin(), list.end(), bytes) == list.end()) list.push_back(bytes);
}

}  // namespace

std::string add_local_addresses(XdpDestinations& destinations, int family,
                                const std::string& interface) {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0)
        return "cannot list the host's addresses: " + errno_text(errno);
    for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
        if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != family) continue;
        if (family == AF_INET) {
            const auto* v4 = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
            // 127/8 from another interface is martian (RFC 1122 §3.2.1.3 (g)).
            if ((ntohl(v4->sin_addr.s_addr) >> 24) == 127) continue;
            add_once(destinations.ipv4, &v4->sin_addr);
        } else {
            const auto* v6 = reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr);
            if (IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr)) continue;  // RFC 4291 §2.5.3
            if (IN6_IS_ADDR_LINKLOCAL(&v6->sin6_addr) && interface != entry->ifa_name) continue;
            add_once(destinations.ipv6, &v6->sin6_addr);
        }
    }
    ::freeifaddrs(list);
    return {};
}

Expected<std::unique_ptr<XdpProgram>, std::string> XdpProgram::attach(const XdpSetup& setup) {
    libbpf_set_print(log_libbpf);
    std::unique_ptr<XdpProgram> program(new XdpProgram());
    program->interface_ = setup.interface;
    program->port_ = setup.port;
    program->ifindex_ = static_cast<int>(if_nametoindex(setup.interface.c_str()));
    if (program->ifindex_ == 0)
        return unexpected("no network interface named " + setup.interface +
                          " (in this network namespace)");
    program->queue_count_ = std::clamp(rx_queue_count(setup.interface), 1U,
                                       std::clamp(setup.max_queues, 1U, kMaxQueues));

    if (std::string error = clear_interface(setup.interface, program->ifindex_); !error.empty())
        return unexpected(std::move(error));

    bpf_object_open_opts open_options{};
    open_options.sz = sizeof open_options;
    open_options.object_name = kProgramName;
    program->object_ = bpf_object__open_mem(kSipdnsXdpObject, kSipdnsXdpObjectSize, &open_options);
    if (!program->object_)
        return unexpected("cannot open the embedded XDP program: " + errno_text(errno));
    const XdpDestinations& destinations = setup.destinations;
    if (destinations.ipv4.size() + destinations.ipv6.size() > kMaxDestinations)
        return unexpected("more than " + std::to_string(kMaxDestinations) +
                          " destination addresses (listen addresses, or the host's addresses for "
                          "a wildcard one): the XDP program takes at most that many");
    if (!set_rodata(program->object_, kPortVariable, setup.port))
        return unexpected(
            std::string("cannot set the embedded XDP program's constants (build error)"));
    if (int rc = bpf_object__load(program->object_); rc < 0)
        return unexpected("cannot load the XDP program: " + errno_text(-rc) +
                          (rc == -EPERM ? std::string("; ") + kCapabilityAdvice
                                        : std::string(" (details in the debug log)")));
    bpf_program* bpf_prog = bpf_object__find_program_by_name(program->object_, kProgramName);
    bpf_map* xsks = bpf_object__find_map_by_name(program->object_, "xsks");
    if (!bpf_prog || !xsks)
        return unexpected(std::string("the embedded XDP program is incomplete"));
    program->xsks_map_fd_ = bpf_map__fd(xsks);
    if (std::string error = fill_destinations(program->object_, destinations); !error.empty())
        return unexpected(std::move(error));
    int program_fd = bpf_program__fd(bpf_prog);

    // Native first: the driver runs the program before it allocates a socket buffer. Generic
    // where the driver has no XDP (EOPNOTSUPP) or refuses the native mode for another reason.
    int native_error = 0;
    for (auto [flag, mode] : {std::pair{XDP_FLAGS_DRV_MODE, AttachMode::Native},
                              std::pair{XDP_FLAGS_SKB_MODE, AttachMode::Generic}}) {
        bpf_link_create_opts link_options{};
        link_options.sz = sizeof link_options;
        link_options.flags = flag;
        int fd = bpf_link_create(program_fd, program->ifindex_, BPF_XDP, &link_options);
        if (fd >= 0) {
            program->link_fd_ = fd;
            program->mode_ = mode;
            break;
        }
        int code = -fd;
        if (code == EPERM)
            return unexpected("cannot attach the XDP program to " + setup.interface + ": " +
                              errno_text(code) + "; " + kCapabilityAdvice);
        if (code == EBUSY || code == EEXIST)
            return unexpected(setup.interface +
                              " got another XDP program while sipdnsd attached its own; remove "
                              "it with `ip link set dev " +
                              setup.interface + " xdp off` if it is not needed");
        if (mode == AttachMode::Native) {
            native_error = code;
            continue;
        }
        return unexpected("cannot attach the XDP program to " + setup.interface +
                          ": native mode: " + errno_text(native_error) +
                          ", generic mode: " + errno_text(code));
    }
    bpf_prog_info info{};
    std::uint32_t info_length = sizeof info;
    if (bpf_obj_get_info_by_fd(program_fd, &info, &info_length) == 0)
        program->program_id_ = info.id;
    return program;
}

std::string XdpProgram::register_socket(unsigned queue, int socket_fd) {
    std::uint32_t key = queue;
    std::uint32_t value = static_cast<std::uint32_t>(socket_fd);
    if (bpf_map_update_elem(xsks_map_fd_, &key, &value, BPF_ANY) != 0)
        return "cannot put the AF_XDP socket of queue " + std::to_string(queue) +
               " into the XDP program's map: " + errno_text(errno);
    return {};
}

XdpProgram::~XdpProgram() {
    // Closing the last fd of the link detaches the program from the interface.
    if (link_fd_ >= 0) ::close(link_fd_);
    if (object_) bpf_object__close(object_);
}

}  // namespace sipdns::xdp
