// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// The XDP program of sipdnsd's AF_XDP fast path: UDP to the served port goes to the AF_XDP
// socket of the queue it arrived on, everything else to the kernel. The rule is the one of
// sipdns/xdp/frame.h (parse_udp_frame), which user space applies again to every frame:
// Ethernet II, at most two VLAN tags (802.1Q 0x8100, 802.1ad 0x88a8), then IPv4 without options
// and not a fragment, or IPv6 with UDP as the next header, then UDP to the served port, all to
// a unicast address (a group MAC, IPv4 multicast/broadcast and IPv6 multicast stay the kernel's).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

// The AF_XDP socket of each RX queue (XdpProgram::queue_count() caps the queues at this).
struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u32);
} xsks SEC(".maps");

// The served UDP port, host order; written into .rodata by XdpProgram::attach before the load,
// so the verifier sees it as a constant.
const volatile __u16 served_port = 53;

// The destination addresses taken (XdpDestinations: the listen addresses at the served port,
// the host's own addresses for a wildcard one): a query to any other address — another host's,
// on a host that routes — stays the kernel's, as a socket gets only local addresses.
struct destination {
    __u8 family;  // 4 or 6
    __u8 pad[3];
    __u8 address[16];  // IPv4: the first 4 octets
};
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);  // XdpProgram::kMaxDestinations
    __type(key, struct destination);
    __type(value, __u8);
} destinations SEC(".maps");

#define VLAN_TAGS_MAX 2
#define IPV4_FRAGMENT_BITS 0x3fff  // MF flag and fragment offset (RFC 791 §3.1)

struct vlan_tag {
    __be16 tci;
    __be16 encapsulated_proto;
};

SEC("xdp")
int sipdns_xdp(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end) return XDP_PASS;
    // IEEE 802 I/G bit: a group address (a source never has it)
    if ((eth->h_dest[0] | eth->h_source[0]) & 0x01) return XDP_PASS;
    __be16 proto = eth->h_proto;
    void *cursor = eth + 1;

#pragma unroll
    for (int i = 0; i < VLAN_TAGS_MAX; i++) {
        if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD)) break;
        struct vlan_tag *tag = cursor;
        if ((void *)(tag + 1) > data_end) return XDP_PASS;
        proto = tag->encapsulated_proto;
        cursor = tag + 1;
    }

    struct udphdr *udp;
    if (proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = cursor;
        if ((void *)(ip + 1) > data_end) return XDP_PASS;
        if (ip->version != 4 || ip->ihl != 5) return XDP_PASS;
        if (ip->frag_off & bpf_htons(IPV4_FRAGMENT_BITS)) return XDP_PASS;
        if (ip->protocol != IPPROTO_UDP) return XDP_PASS;
        // multicast, class E, broadcast: to or from
        if ((bpf_ntohl(ip->daddr) >> 24) >= 224 || (bpf_ntohl(ip->saddr) >> 24) >= 224)
            return XDP_PASS;
        struct destination key = {.family = 4};
        __builtin_memcpy(key.address, &ip->daddr, 4);
        if (!bpf_map_lookup_elem(&destinations, &key)) return XDP_PASS;
        udp = (void *)(ip + 1);
    } else if (proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = cursor;
        if ((void *)(ip6 + 1) > data_end) return XDP_PASS;
        if (ip6->version != 6 || ip6->nexthdr != IPPROTO_UDP) return XDP_PASS;
        // multicast ff00::/8, to or from
        if (ip6->daddr.in6_u.u6_addr8[0] == 0xff || ip6->saddr.in6_u.u6_addr8[0] == 0xff)
            return XDP_PASS;
        struct destination key = {.family = 6};
        __builtin_memcpy(key.address, &ip6->daddr, 16);
        if (!bpf_map_lookup_elem(&destinations, &key)) return XDP_PASS;
        udp = (void *)(ip6 + 1);
    } else {
        return XDP_PASS;
    }
    if ((void *)(udp + 1) > data_end) return XDP_PASS;
    if (udp->dest != bpf_htons(served_port)) return XDP_PASS;

    // No socket on this queue (not opened, or beyond max_queues): the flags argument is the
    // action then, so the kernel answers it on its sockets.
    return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

// Every BPF program declares a license; the verifier refuses calls to GPL-only helpers (e.g.
// bpf_printk's bpf_trace_printk while debugging) unless it is GPL-compatible. The program is
// BSD-3-Clause like the rest of sipdns; "Dual BSD/GPL" says so and is one of the strings the
// kernel counts as GPL-compatible (include/linux/license.h, license_is_gpl_compatible).
char LICENSE[] SEC("license") = "Dual BSD/GPL";
