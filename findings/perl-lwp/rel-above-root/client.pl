# redirspec live adapter for perl's LWP::UserAgent and HTTP::Tiny, default redirect handling.
# Usage: perl client.pl lwp|tiny METHOD URL BODY_FILE|"" HEADERS_FILE [COUNT]
# HEADERS_FILE holds one "Name: value" line per header. COUNT (default 1): the request is
# sent that many times in a row through one user agent object.
# Prints the delivered status on stdout and exits 0; prints the error on stderr and exits 1.
#
# Usage: perl client.pl lwp|tiny --serve
# One process for many scenarios: reads one JSON object per line on stdin ({"method", "url",
# "headers": [[name, value], ...], "body": [bytes] or null, "count"}), runs them one after
# another and answers each with one line on stdout, `@@redirspec {"status":N}` or
# `@@redirspec {"error":"..."}`. Every scenario builds its own LWP::UserAgent or HTTP::Tiny
# object, dropped at its end, so no connection or cookie crosses scenarios. Exits at the end
# of stdin.
use strict;
use warnings;

# One scenario: (status) or (undef, error message).
sub run_scenario {
    my ($flavour, $method, $url, $body, $headers, $count) = @_;
    if ($flavour eq 'lwp') {
        require LWP::UserAgent;
        require HTTP::Request;
        my $ua = LWP::UserAgent->new(timeout => 30);
        my $res;
        for (1 .. $count) {
            my $req = HTTP::Request->new($method => $url);
            $req->header($_->[0] => $_->[1]) for @$headers;
            $req->content($body) if defined $body;
            $res = $ua->request($req);
            # LWP reports its own failures as responses marked with a Client-Warning header.
            if (my $warning = $res->header('Client-Warning')) {
                return (undef, $res->status_line . " ($warning)");
            }
        }
        return ($res->code);
    }
    require HTTP::Tiny;
    my $http = HTTP::Tiny->new(timeout => 30, proxy => undef, http_proxy => undef);
    my %h = map { (lc $_->[0]) => $_->[1] } @$headers;
    my $res;
    for (1 .. $count) {
        $res = $http->request($method, $url,
            { headers => \%h, (defined $body ? (content => $body) : ()) });
        # HTTP::Tiny reports its own failures as status 599.
        if ($res->{status} == 599) {
            return (undef, "599: $res->{content}");
        }
    }
    return ($res->{status});
}

sub count_of {
    my ($c) = @_;
    return (defined $c && $c =~ /^[1-5]$/) ? $c : 1;
}

my $flavour = shift @ARGV;
if (@ARGV && $ARGV[0] eq '--serve') {
    require JSON::PP;
    my $json = JSON::PP->new->canonical;
    $| = 1;
    print '@@redirspec ', $json->encode({ ready => JSON::PP::true() }), "\n";
    while (my $line = <STDIN>) {
        next unless $line =~ /\S/;
        my ($status, $error);
        eval {
            my $s = $json->decode($line);
            my $body = defined $s->{body} ? pack('C*', @{ $s->{body} }) : undef;
            ($status, $error) = run_scenario($flavour, $s->{method}, $s->{url}, $body,
                $s->{headers}, count_of($s->{count}));
            1;
        } or do {
            $error = "$@" || 'unknown error';
            $error =~ s/\s+\z//;
        };
        print '@@redirspec ',
            $json->encode(defined $error ? { error => "$error" } : { status => 0 + $status }),
            "\n";
    }
    exit 0;
}

my ($method, $url, $body_file, $headers_file, $count) = @ARGV;
my @headers;
open(my $hf, '<', $headers_file) or die "cannot read $headers_file: $!";
while (my $line = <$hf>) {
    $line =~ s/\r?\n\z//;
    next unless $line =~ /^([^:]+):\s*(.*)$/;
    push @headers, [$1, $2];
}
close $hf;
my $body;
if (defined $body_file && $body_file ne '') {
    open(my $bf, '<:raw', $body_file) or die "cannot read $body_file: $!";
    local $/;
    $body = <$bf>;
    close $bf;
}
my ($status, $error) = run_scenario($flavour, $method, $url, $body, \@headers, count_of($count));
if (defined $error) {
    print STDERR "$error\n";
    exit 1;
}
print "$status\n";
exit 0;
