package io.baton.wire;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** Native epoll where the platform has it, NIO elsewhere: one decision, made once. */
public final class Transport {

    private static final boolean EPOLL = Epoll.isAvailable() && !Boolean.getBoolean("baton.nio");

    private Transport() {
    }

    public static String name() {
        return EPOLL ? "epoll" : "nio";
    }

    /** Event loops whose threads run at the highest priority the OS grants (they carry the real-time work). */
    public static EventLoopGroup group(int threads) {
        return group(threads, "baton-io", Thread.MAX_PRIORITY);
    }

    /** Event loops with named threads at a given Java priority (honoured where the JVM maps priorities). */
    public static EventLoopGroup group(int threads, String name, int priority) {
        IoHandlerFactory factory = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new io.netty.util.concurrent.DefaultThreadFactory(name, false,
                priority), factory);
    }

    public static Class<? extends ServerChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static Class<? extends SocketChannel> channel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
